/*
 * SQLite functions with which the SQLite source decides in SQL the records it can vouch for
 * (src/sources/sqlite/fast.ts): a timestamp in ISO 8601 that names its instant, `T` and `Z` or
 * an offset, read exactly as the engine's fast reader reads it (fastIso in
 * src/engine/timestamp.ts; differential-tested against it), and the class of a record under its
 * dataset's fixed delete periods. Anything else is NULL, or class DOUBT: the engine decides those records.
 * Built by scripts/build-native.mjs; without a C compiler the source decides every record in
 * JavaScript, as it did before.
 */
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { PENDING = 0, DUE = 1, HELD = 2, DOUBT = 3, EMPTY = 4, UNMANAGED = 5, CLASSES = 6 };

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

/* retention_ms(value, ...): the latest instant the ISO 8601 texts name, in ms; NULL where one is not that shape. */
static void ms_func(sqlite3_context *c, int argc, sqlite3_value **v) {
  int64_t ms, latest = 0;
  for (int i = 0; i < argc; i++) {
    if (!value_ms(v[i], &ms)) return;
    if (i == 0 || ms > latest) latest = ms;
  }
  if (argc > 0) sqlite3_result_int64(c, latest);
}

/* Rules a class is given for, at most: one bit each in retention_pending's mask. */
#define RULES 62

/* A decimal number of a `where` text, then `sep`: the next byte, or 0 where the text is not that. */
static const unsigned char *spec_number(const unsigned char *p, const unsigned char *end, char sep, sqlite3_int64 *out) {
  sqlite3_int64 x = 0;
  const unsigned char *q = p;
  while (q < end && *q >= '0' && *q <= '9' && q - p < 12) x = x * 10 + (*q++ - '0');
  if (q == p || q >= end || *q != sep) return 0;
  *out = x;
  return q + 1;
}

/*
 * Whether a record is one a rule's `where` names, as the engine decides it: 1 or 0, else DOUBT.
 * `spec`: the integer 1 (no `where`), or the text fast.ts writes: conditions in order, each
 * `column,count:` then `length:bytes` a value (the column: its place among the `where` columns;
 * the length in bytes). The first condition that fails decides: NULL fails; text is compared
 * byte for byte; an INTEGER by its digits (SQLite's CAST to TEXT); a REAL or a blob is DOUBT
 * (2.0 reads as '2' in JavaScript). A text not of that form is DOUBT.
 */
static int where_applies(sqlite3_value *spec, sqlite3_value **cols, sqlite3_int64 ncols) {
  int st = sqlite3_value_type(spec);
  if (st == SQLITE_INTEGER) return sqlite3_value_int64(spec) == 1 ? 1 : DOUBT;
  if (st != SQLITE_TEXT) return DOUBT;
  const unsigned char *p = sqlite3_value_text(spec);
  if (!p) return DOUBT;
  const unsigned char *end = p + sqlite3_value_bytes(spec);
  while (p < end) {
    sqlite3_int64 col, k;
    if (!(p = spec_number(p, end, ',', &col)) || col >= ncols) return DOUBT;
    if (!(p = spec_number(p, end, ':', &k))) return DOUBT;
    sqlite3_value *v = cols[col];
    int t = sqlite3_value_type(v);
    const unsigned char *text = 0;
    char digits[24];
    int bytes = 0;
    if (t == SQLITE_TEXT) {
      text = sqlite3_value_text(v);
      bytes = sqlite3_value_bytes(v);
      if (!text) return DOUBT;
    } else if (t == SQLITE_INTEGER) {
      bytes = snprintf(digits, sizeof digits, "%lld", (long long)sqlite3_value_int64(v));
      text = (const unsigned char *)digits;
    } else if (t != SQLITE_NULL) return DOUBT;
    int found = 0;
    for (sqlite3_int64 i = 0; i < k; i++) {
      sqlite3_int64 len;
      if (!(p = spec_number(p, end, ':', &len)) || len > end - p) return DOUBT;
      if (text && !found && len == bytes && memcmp(p, text, (size_t)len) == 0) found = 1;
      p += len;
    }
    if (!found) return 0; /* NULL, or none of the values */
  }
  return 1;
}

/*
 * The class of a record under the dataset's delete rules (v[1] of them, in the order fast.ts
 * found each to be due before the next wherever both apply, so the first due governs), as the
 * engine decides it. v[0]: the hold (NULL or 0: not held, 1: held, as INTEGER or REAL; anything
 * else: DOUBT; the constant NULL where the dataset has none). Then five values a rule: its
 * `where` (where_applies), its cut, before, lo and hi. Then the number of `where` columns and
 * those columns. Then the from columns, whose latest is the start of every rule, as the engine
 * takes it: one of another shape is DOUBT, else one NULL has not started (EMPTY). No rule
 * applying is UNMANAGED. A start is due by a rule where before ? ms < cut : ms <= cut, pending
 * after, DOUBT within (lo, hi] (the cut's unsure window; lo = hi for none). `*rule`: the first
 * rule due; `*pending`: the rules pending, a bit each.
 */
static int classify(int argc, sqlite3_value **v, int64_t *ms, int *rule, int64_t *pending) {
  *rule = -1;
  *pending = 0;
  if (argc < 2) return DOUBT;
  sqlite3_value *hold = v[0];
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
  sqlite3_int64 n = sqlite3_value_int64(v[1]);
  if (n < 1 || n > RULES || argc <= 2 + 5 * n) return DOUBT; /* not called as fast.ts calls it */
  sqlite3_int64 ncols = sqlite3_value_int64(v[2 + 5 * n]);
  int starts = 3 + 5 * (int)n + (int)ncols;
  if (ncols < 0 || starts >= argc) return DOUBT;
  sqlite3_value **cols = v + 3 + 5 * n;
  int64_t applying = 0;
  for (int r = 0; r < n; r++) {
    int applies = where_applies(v[2 + 5 * r], cols, ncols);
    if (applies == 1) applying |= (int64_t)1 << r;
    else if (applies != 0) return DOUBT;
  }
  if (!applying) return UNMANAGED;
  int empty = 0, any = 0;
  for (int i = starts; i < argc; i++) {
    int64_t m;
    if (sqlite3_value_type(v[i]) == SQLITE_NULL) {
      empty = 1;
      continue;
    }
    if (!value_ms(v[i], &m)) return DOUBT;
    if (!any || m > *ms) *ms = m;
    any = 1;
  }
  if (empty) return EMPTY;
  for (int r = 0; r < n; r++) {
    if (!(applying >> r & 1)) continue;
    sqlite3_value **x = v + 3 + 5 * r;
    sqlite3_int64 cut = sqlite3_value_int64(x[0]), lo = sqlite3_value_int64(x[2]), hi = sqlite3_value_int64(x[3]);
    if (*ms > lo && *ms <= hi) return DOUBT;
    if (sqlite3_value_int64(x[1]) ? *ms < cut : *ms <= cut) {
      if (*rule < 0) *rule = r;
    } else *pending |= (int64_t)1 << r;
  }
  return *rule >= 0 ? DUE : PENDING;
}

/* retention_class(hold, n, [where, cut, before, lo, hi] x n, w, where columns x w, starts...) */
static void class_func(sqlite3_context *c, int argc, sqlite3_value **v) {
  int64_t ms, pending;
  int rule;
  sqlite3_result_int(c, classify(argc, v, &ms, &rule, &pending));
}

/* retention_rule(as retention_class): the rule that governs a DUE record (its place in the arguments), else NULL. */
static void rule_func(sqlite3_context *c, int argc, sqlite3_value **v) {
  int64_t ms, pending;
  int rule;
  if (classify(argc, v, &ms, &rule, &pending) == DUE) sqlite3_result_int(c, rule);
}

/* retention_pending(as retention_class): the rules a record is pending for, a bit each (0 for a held record or one in doubt). */
static void pending_func(sqlite3_context *c, int argc, sqlite3_value **v) {
  int64_t ms, pending;
  int rule;
  int cls = classify(argc, v, &ms, &rule, &pending);
  sqlite3_result_int64(c, cls == DUE || cls == PENDING ? pending : 0);
}

/* Rows by class, and by rule the rows due and the least pending start, since the last retention_counts(). */
typedef struct {
  int64_t by[CLASSES];
  int64_t due[RULES];
  int64_t least[RULES];
  int64_t pending; /* rules with a least */
  int rules;
} Counts;

/* Classes and counts a record. */
static int count(Counts *k, int argc, sqlite3_value **v) {
  int64_t ms = 0, pending;
  int rule;
  int cls = classify(argc, v, &ms, &rule, &pending);
  k->by[cls]++;
  if (cls == DUE) k->due[rule]++;
  if (k->rules == 0 && argc > 1) {
    sqlite3_int64 n = sqlite3_value_int64(v[1]);
    k->rules = n >= 1 && n <= RULES ? (int)n : 0;
  }
  if (cls == DUE || cls == PENDING)
    for (int r = 0; pending; r++, pending >>= 1)
      if (pending & 1 && (!(k->pending >> r & 1) || ms < k->least[r])) {
        k->least[r] = ms;
        k->pending |= (int64_t)1 << r;
      }
  return cls;
}

/* 'rows held doubt unmanaged', then 'due least' by rule (least '-': none pending). */
static void result_counts(sqlite3_context *c, const Counts *k) {
  char out[64 + RULES * 48];
  sqlite3_int64 rows = 0;
  for (int i = 0; i < CLASSES; i++) rows += k->by[i];
  int at = snprintf(out, sizeof out, "%lld %lld %lld %lld", (long long)rows, (long long)k->by[HELD], (long long)k->by[DOUBT], (long long)k->by[UNMANAGED]);
  for (int r = 0; r < k->rules; r++) {
    if (k->pending >> r & 1)
      at += snprintf(out + at, sizeof out - at, " %lld %lld", (long long)k->due[r], (long long)k->least[r]);
    else
      at += snprintf(out + at, sizeof out - at, " %lld -", (long long)k->due[r]);
  }
  sqlite3_result_text(c, out, -1, SQLITE_TRANSIENT);
}

/* retention_class_counted(as retention_class): retention_class, counted in the connection's counts. */
static void counted_func(sqlite3_context *c, int argc, sqlite3_value **v) {
  sqlite3_result_int(c, count(sqlite3_user_data(c), argc, v));
}

/* retention_counts(): 'rows held doubt unmanaged', then 'due least' by rule, since the last call, which resets them. */
static void counts_func(sqlite3_context *c, int argc, sqlite3_value **v) {
  Counts *k = sqlite3_user_data(c);
  (void)argc;
  (void)v;
  result_counts(c, k);
  memset(k, 0, sizeof *k);
}

/*
 * The residue check of src/sources/sqlite/free-space.ts (pagesWithResidue), read through the
 * connection's own file: pages whose free space holds bytes, of those looked at. The same pages,
 * the same rules (free-space.ts says which and why; the tests compare both on many files).
 */
static unsigned u16(const unsigned char *b) { return ((unsigned)b[0] << 8) | b[1]; }
static unsigned u32(const unsigned char *b) { return ((unsigned)b[0] << 24) | ((unsigned)b[1] << 16) | ((unsigned)b[2] << 8) | b[3]; }

static int zeros(const unsigned char *b, unsigned from, unsigned to) {
  unsigned char or = 0;
  for (unsigned i = from; i < to; i++) or |= b[i];
  return or == 0;
}

/* 1: dirty, 0: clean, -1: no b-tree page (overflow). `at`: where the page header starts. */
static int btree_residue(const unsigned char *page, unsigned at, unsigned usable) {
  const unsigned char *h = page + at;
  unsigned type = h[0];
  if (type == 5) return 0;
  if (type != 2 && type != 10 && type != 13) return -1;
  unsigned cells = u16(h + 3);
  unsigned content = u16(h + 5);
  if (content == 0) content = 65536;
  unsigned end = content < usable ? content : usable;
  unsigned gap = at + (type == 2 ? 12 : 8) + 2 * cells;
  while (gap + 1 < end) {
    unsigned w = u16(page + gap);
    if (w == 0 || w < at + 8 || w >= usable) break;
    gap += 2;
  }
  if (gap < end && !zeros(page, gap, end)) return 1;
  unsigned seen = 0;
  for (unsigned fb = u16(h + 1); fb > 0 && fb + 4 <= usable && seen++ < 10000;) {
    unsigned size = u16(page + fb + 2);
    unsigned stop = fb + size < usable ? fb + size : usable;
    if (!zeros(page, fb + 4, stop)) return 1;
    fb = u16(page + fb);
  }
  return 0;
}

enum { NOT_FREE = 0, TRUNK = 1, LEAF = 2 };

static int read_at(sqlite3_file *f, void *buf, int n, sqlite3_int64 off) {
  int rc = f->pMethods->xRead(f, buf, n, off);
  return rc == SQLITE_OK || rc == SQLITE_IOERR_SHORT_READ ? SQLITE_OK : rc;
}

/* retention_residue(): 'pages checked' for the main database, or an error. */
static void residue_func(sqlite3_context *c, int argc, sqlite3_value **v) {
  sqlite3 *db = sqlite3_context_db_handle(c);
  sqlite3_file *f = 0;
  unsigned char head[100];
  unsigned char *kinds = 0, *block = 0;
  sqlite3_int64 pages = 0, checked = 0;
  char out[64];
  (void)argc;
  (void)v;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f || !f->pMethods) {
    sqlite3_result_error(c, "retention_residue: no database file", -1);
    return;
  }
  memset(head, 0, sizeof head);
  if (read_at(f, head, 100, 0) != SQLITE_OK) goto fail;
  unsigned raw = u16(head + 16);
  unsigned page_size = raw == 1 ? 65536 : raw;
  if (page_size < 512 || (page_size & (page_size - 1)) != 0) {
    snprintf(out, sizeof out, "0 0");
    sqlite3_result_text(c, out, -1, SQLITE_TRANSIENT);
    return;
  }
  unsigned usable = page_size - head[20];
  unsigned page_count = u32(head + 28);
  sqlite3_int64 size = 0;
  if (f->pMethods->xFileSize(f, &size) != SQLITE_OK) goto fail;
  /* The header's count, within the file: a damaged header cannot make it read (or allocate) more. */
  if ((sqlite3_int64)page_count > (size + page_size - 1) / page_size) page_count = (unsigned)((size + page_size - 1) / page_size);
  int auto_vacuum = u32(head + 52) != 0;
  kinds = sqlite3_malloc64((sqlite3_uint64)page_count + 1);
  block = sqlite3_malloc64((sqlite3_uint64)page_size * 256);
  if (!kinds || !block) goto fail;
  memset(kinds, NOT_FREE, (size_t)page_count + 1);
  for (unsigned trunk = u32(head + 32); trunk > 0 && trunk <= page_count && kinds[trunk] == NOT_FREE;) {
    kinds[trunk] = TRUNK;
    memset(block, 0, page_size);
    if (read_at(f, block, (int)page_size, (sqlite3_int64)(trunk - 1) * page_size) != SQLITE_OK) goto fail;
    unsigned leaves = u32(block + 4);
    if (leaves > (page_size - 8) / 4) leaves = (page_size - 8) / 4;
    for (unsigned i = 0; i < leaves; i++) {
      unsigned leaf = u32(block + 8 + 4 * i);
      if (leaf <= page_count) kinds[leaf] = LEAF;
    }
    trunk = u32(block);
  }
  unsigned lock_page = 1073741824u / page_size + 1;
  unsigned stride = usable / 5 + 1;
  for (sqlite3_uint64 first = 1; first <= page_count; first += 256) {
    unsigned n = page_count - first + 1 < 256 ? (unsigned)(page_count - first + 1) : 256;
    memset(block, 0, (size_t)n * page_size);
    if (read_at(f, block, (int)(n * page_size), (sqlite3_int64)(first - 1) * page_size) != SQLITE_OK) goto fail;
    for (unsigned i = 0; i < n; i++) {
      unsigned p = (unsigned)(first + i);
      if ((sqlite3_int64)(p - 1) * page_size >= size) break; /* past the end of the file: not read */
      if (p == lock_page || (auto_vacuum && p >= 2 && (p - 2) % stride == 0)) continue;
      const unsigned char *page = block + (size_t)i * page_size;
      int dirty;
      if (kinds[p] == LEAF) dirty = !zeros(page, 0, usable);
      else if (kinds[p] == TRUNK) {
        /* In 64 bits, as JavaScript computes it: a damaged count must not wrap to a small offset. */
        sqlite3_uint64 from = 8 + 4ull * u32(page + 4);
        dirty = from < usable && !zeros(page, (unsigned)from, usable);
      } else dirty = btree_residue(page, p == 1 ? 100 : 0, usable);
      if (dirty < 0) continue;
      checked++;
      if (dirty) pages++;
    }
  }
  sqlite3_free(kinds);
  sqlite3_free(block);
  snprintf(out, sizeof out, "%lld %lld", (long long)pages, (long long)checked);
  sqlite3_result_text(c, out, -1, SQLITE_TRANSIENT);
  return;
fail:
  sqlite3_free(kinds);
  sqlite3_free(block);
  sqlite3_result_error(c, "retention_residue: cannot read the database file", -1);
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_retentionsqlite_init(sqlite3 *db, char **err, const sqlite3_api_routines *api) {
  int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  int rc;
  SQLITE_EXTENSION_INIT2(api);
  (void)err;
  /* Any number of arguments: the rules, then their from columns. */
  rc = sqlite3_create_function(db, "retention_ms", -1, flags, 0, ms_func, 0, 0);
  if (rc == SQLITE_OK) rc = sqlite3_create_function(db, "retention_class", -1, flags, 0, class_func, 0, 0);
  if (rc == SQLITE_OK) rc = sqlite3_create_function(db, "retention_rule", -1, flags, 0, rule_func, 0, 0);
  if (rc == SQLITE_OK) rc = sqlite3_create_function(db, "retention_pending", -1, flags, 0, pending_func, 0, 0);
  if (rc == SQLITE_OK) {
    /* Counted as a side effect: neither deterministic nor innocuous, so that SQLite calls them once per use. */
    Counts *k = sqlite3_malloc(sizeof(Counts));
    if (!k) return SQLITE_NOMEM;
    memset(k, 0, sizeof *k);
    rc = sqlite3_create_function_v2(db, "retention_class_counted", -1, SQLITE_UTF8 | SQLITE_DIRECTONLY, k, counted_func, 0, 0, 0);
    if (rc == SQLITE_OK) rc = sqlite3_create_function_v2(db, "retention_counts", 0, SQLITE_UTF8 | SQLITE_DIRECTONLY, k, counts_func, 0, 0, sqlite3_free);
    else sqlite3_free(k);
  }
  /* Reads the file: never from a trigger or a view of the database itself. */
  if (rc == SQLITE_OK) rc = sqlite3_create_function(db, "retention_residue", 0, SQLITE_UTF8 | SQLITE_DIRECTONLY, 0, residue_func, 0, 0);
  return rc;
}
