/*
 * SQLite functions with which the SQLite source decides in SQL the records it can vouch for
 * (src/sources/sqlite/fast.ts): a timestamp in ISO 8601 that names its instant, `T` and `Z` or
 * an offset, read exactly as the engine's fast reader reads it (fastIso in
 * src/engine/timestamp.ts; differential-tested against it), and the class of a record under one
 * fixed delete period. Anything else is NULL, or class DOUBT: the engine decides those records.
 * Built by scripts/build-native.mjs; without a C compiler the source decides every record in
 * JavaScript, as it did before.
 */
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1
#include <stdint.h>
#include <stdio.h>

enum { PENDING = 0, DUE = 1, HELD = 2, DOUBT = 3, EMPTY = 4 };

static int d2(const unsigned char *s, int i) {
  int a = s[i] - '0', b = s[i + 1] - '0';
  return (a >= 0 && a <= 9 && b >= 0 && b <= 9) ? a * 10 + b : -1;
}

/*
 * Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's days_from_civil), for years
 * 1000-9999: unsigned, so that the compiler divides by multiplying (signed 64-bit divisions were
 * a quarter of a report's time in perf).
 */
static int64_t days_from_civil(unsigned y, unsigned m, unsigned d) {
  y -= m <= 2;
  unsigned era = y / 400;
  unsigned yoe = y - era * 400;
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  return (int64_t)era * 146097 + (int64_t)(yoe * 365 + yoe / 4 - yoe / 100 + doy) - 719468;
}

/* Gregorian leap years, for years 1000-9999. */
static int leap(unsigned y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static const int DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

/* YYYY-MM-DDTHH:MM[:SS[.f{1,3}]] and Z or +-HH:MM, years 1000-9999: the epoch in ms; 0 where not. */
static int instant_ms(const unsigned char *s, int n, int64_t *out) {
  if (n < 17 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':') return 0;
  int yh = d2(s, 0), yl = d2(s, 2), mo = d2(s, 5), d = d2(s, 8);
  int y = yh * 100 + yl;
  if (yh < 10 || yl < 0 || mo < 1 || mo > 12 || d < 1) return 0;
  if (d > 28 && d > (mo == 2 ? 28 + leap((unsigned)y) : DAYS[mo - 1])) return 0;
  int h = d2(s, 11), mi = d2(s, 14), sec = 0, ms = 0, i = 16;
  if (h < 0 || h > 23 || mi < 0 || mi > 59) return 0;
  if (i < n && s[i] == ':') {
    if (n < 19) return 0;
    sec = d2(s, 17);
    if (sec < 0 || sec > 59) return 0;
    i = 19;
    if (i < n && s[i] == '.') {
      int k = i + 1;
      while (k < n && k < i + 4 && s[k] >= '0' && s[k] <= '9') k++;
      if (k == i + 1) return 0;
      for (int j = i + 1; j < i + 4; j++) ms = ms * 10 + (j < k ? s[j] - '0' : 0);
      i = k;
    }
  }
  int64_t wall = days_from_civil((unsigned)y, (unsigned)mo, (unsigned)d) * 86400000LL + ((int64_t)(h * 60 + mi) * 60 + sec) * 1000 + ms;
  if (i >= n) return 0; /* local time: read in a zone, the engine's */
  if (s[i] == 'Z' && i + 1 == n) {
    *out = wall;
    return 1;
  }
  if ((s[i] != '+' && s[i] != '-') || n != i + 6 || s[i + 3] != ':') return 0;
  int oh = d2(s, i + 1), om = d2(s, i + 4);
  if (oh < 0 || oh > 23 || om < 0 || om > 59) return 0;
  *out = wall - (s[i] == '-' ? -1 : 1) * (int64_t)(oh * 60 + om) * 60000;
  return 1;
}

static int value_ms(sqlite3_value *v, int64_t *out) {
  if (sqlite3_value_type(v) != SQLITE_TEXT) return 0;
  const unsigned char *s = sqlite3_value_text(v);
  return s != 0 && instant_ms(s, sqlite3_value_bytes(v), out);
}

/* retention_ms(value): the instant an ISO 8601 text names, in ms; NULL where it is not that shape. */
static void ms_func(sqlite3_context *c, int argc, sqlite3_value **v) {
  int64_t ms;
  (void)argc;
  if (value_ms(v[0], &ms)) sqlite3_result_int64(c, ms);
}

/*
 * The class of a record: hold (NULL or 0: not held, 1: held, as INTEGER or REAL; anything else: DOUBT; the constant
 * NULL where the dataset has none), then its start: NULL has not started (EMPTY), an instant is
 * DUE where before ? ms < cut : ms <= cut, PENDING after, DOUBT within (lo, hi] (the cut's unsure
 * window; lo = hi for none); anything else DOUBT.
 */
static int classify(sqlite3_value **v, int64_t *ms) {
  sqlite3_value *hold = v[1];
  int ht = sqlite3_value_type(hold);
  if (ht == SQLITE_INTEGER) {
    sqlite3_int64 h = sqlite3_value_int64(hold);
    if (h == 1) return HELD;
    if (h != 0) return DOUBT;
  } else if (ht == SQLITE_FLOAT) {
    /* A REAL reaches the engine as a JavaScript number: 0 and 1 read as the integers do. */
    double h = sqlite3_value_double(hold);
    if (h == 1.0) return HELD;
    if (h != 0.0) return DOUBT;
  } else if (ht != SQLITE_NULL) return DOUBT;
  if (sqlite3_value_type(v[0]) == SQLITE_NULL) return EMPTY;
  if (!value_ms(v[0], ms)) return DOUBT;
  sqlite3_int64 cut = sqlite3_value_int64(v[2]), lo = sqlite3_value_int64(v[4]), hi = sqlite3_value_int64(v[5]);
  if (*ms > lo && *ms <= hi) return DOUBT;
  return (sqlite3_value_int64(v[3]) ? *ms < cut : *ms <= cut) ? DUE : PENDING;
}

/* retention_class(start, hold, cut, before, lo, hi) */
static void class_func(sqlite3_context *c, int argc, sqlite3_value **v) {
  int64_t ms;
  (void)argc;
  sqlite3_result_int(c, classify(v, &ms));
}

/* Rows by class since the last retention_counts(): one counter set per connection. */
typedef struct {
  sqlite3_int64 by[5];
} Counts;

/* retention_class_counted(start, hold, cut, before, lo, hi): retention_class, counted. */
static void counted_func(sqlite3_context *c, int argc, sqlite3_value **v) {
  Counts *k = sqlite3_user_data(c);
  int64_t ms;
  int cls = classify(v, &ms);
  (void)argc;
  k->by[cls]++;
  sqlite3_result_int(c, cls);
}

/* retention_counts(): 'rows held doubt due', as retention_tally gives them, counted since the last call, which it resets. */
static void counts_func(sqlite3_context *c, int argc, sqlite3_value **v) {
  Counts *k = sqlite3_user_data(c);
  char out[128];
  sqlite3_int64 rows = 0;
  (void)argc;
  (void)v;
  for (int i = 0; i < 5; i++) rows += k->by[i];
  snprintf(out, sizeof out, "%lld %lld %lld %lld", (long long)rows, (long long)k->by[HELD], (long long)k->by[DOUBT], (long long)k->by[DUE]);
  for (int i = 0; i < 5; i++) k->by[i] = 0;
  sqlite3_result_text(c, out, -1, SQLITE_TRANSIENT);
}

typedef struct {
  int64_t n, held, doubt, due, least;
  int pending;
} Tally;

static void tally_step(sqlite3_context *c, int argc, sqlite3_value **v) {
  Tally *t = sqlite3_aggregate_context(c, sizeof(Tally));
  int64_t ms = 0;
  (void)argc;
  if (!t) return;
  t->n++;
  switch (classify(v, &ms)) {
    case HELD: t->held++; break;
    case DOUBT: t->doubt++; break;
    case DUE: t->due++; break;
    case PENDING:
      if (!t->pending || ms < t->least) t->least = ms;
      t->pending = 1;
      break;
  }
}

/* retention_tally(start, hold, cut, before, lo, hi): 'rows held doubt due least' (least empty: no start pending). */
static void tally_final(sqlite3_context *c) {
  Tally *t = sqlite3_aggregate_context(c, 0);
  char out[128];
  Tally zero = {0, 0, 0, 0, 0, 0};
  if (!t) t = &zero;
  if (t->pending)
    snprintf(out, sizeof out, "%lld %lld %lld %lld %lld", (long long)t->n, (long long)t->held, (long long)t->doubt, (long long)t->due, (long long)t->least);
  else
    snprintf(out, sizeof out, "%lld %lld %lld %lld", (long long)t->n, (long long)t->held, (long long)t->doubt, (long long)t->due);
  sqlite3_result_text(c, out, -1, SQLITE_TRANSIENT);
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_retentionsqlite_init(sqlite3 *db, char **err, const sqlite3_api_routines *api) {
  int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  int rc;
  SQLITE_EXTENSION_INIT2(api);
  (void)err;
  rc = sqlite3_create_function(db, "retention_ms", 1, flags, 0, ms_func, 0, 0);
  if (rc == SQLITE_OK) rc = sqlite3_create_function(db, "retention_class", 6, flags, 0, class_func, 0, 0);
  if (rc == SQLITE_OK) rc = sqlite3_create_function(db, "retention_tally", 6, flags, 0, 0, tally_step, tally_final);
  if (rc == SQLITE_OK) {
    /* Counted as a side effect: neither deterministic nor innocuous, so that SQLite calls them once per use. */
    Counts *k = sqlite3_malloc(sizeof(Counts));
    if (!k) return SQLITE_NOMEM;
    for (int i = 0; i < 5; i++) k->by[i] = 0;
    rc = sqlite3_create_function_v2(db, "retention_class_counted", 6, SQLITE_UTF8 | SQLITE_DIRECTONLY, k, counted_func, 0, 0, 0);
    if (rc == SQLITE_OK) rc = sqlite3_create_function_v2(db, "retention_counts", 0, SQLITE_UTF8 | SQLITE_DIRECTONLY, k, counts_func, 0, 0, sqlite3_free);
    else sqlite3_free(k);
  }
  return rc;
}
