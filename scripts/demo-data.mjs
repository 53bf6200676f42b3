#!/usr/bin/env node
// Demo data for the shipped policies (policies/*.yaml): one SQLite database and one CSV file per
// dataset, with the same records in both.
//
//   node scripts/demo-data.mjs [outdir]      (default: demo/)
//
// Writes <outdir>/demo.db and <outdir>/csv/<dataset>.csv. Deterministic: a seeded PRNG, a fixed
// "today" (2026-11-20), no clock, no Math.random; the same run gives the same records. Reads
// nothing. The datasets and their columns come from DATASETS below, which must name every column
// the policies name (key, hold, from, where, redact, per-record periods); the CLI refuses a
// source that lacks one. Timestamps are written the way each dataset declares them in its policy
// (iso in several variants, unix, unix_ms, or "dd-MM-yyyy HH:mm:ss"); a few are corrupt on
// purpose, and some records are on legal hold, so a report shows invalid and held counts too.

import Database from 'better-sqlite3';
import { csvField } from '../dist/sources/csv/serialize.js';
import { mulberry32 } from './prng.mjs';
import { mkdirSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const SEED = 20261120;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2016, 11, 1); // first record: 1 December 2016
const T1 = Date.UTC(2026, 10, 20, 17, 0, 0); // last record: 20 November 2026 (suggested --as-of 2026-11-24)
const YEAR = 365.25 * DAY;

// ---------------------------------------------------------------------------------------------
// Seeded randomness

let rnd = mulberry32(SEED);
const int = (a, b) => a + Math.floor(rnd() * (b - a + 1));
const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
const chance = (p) => rnd() < p;
const digits = (n) => Array.from({ length: n }, () => int(0, 9)).join('');
const between = (a, b) => a + Math.floor(rnd() * Math.max(0, b - a));
const weighted = (pairs) => {
  // [[value, weight], ...]
  const total = pairs.reduce((s, [, w]) => s + w, 0);
  let r = rnd() * total;
  for (const [v, w] of pairs) {
    if ((r -= w) < 0) return v;
  }
  return pairs[pairs.length - 1][0];
};
/** Long-tailed positive number with the given mean (call durations, response times). */
const expo = (mean) => -Math.log(1 - rnd()) * mean;

// ---------------------------------------------------------------------------------------------
// Time: Europe/Amsterdam wall-clock without a time-zone library (EU rule: summer time from the
// last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC).

function lastSunday(year, month) {
  // month 0-based; returns UTC ms of that day 01:00 UTC
  const d = new Date(Date.UTC(year, month + 1, 0, 1));
  d.setUTCDate(d.getUTCDate() - d.getUTCDay());
  return d.getTime();
}
const dstCache = new Map();
function amsOffset(ms) {
  const y = new Date(ms).getUTCFullYear();
  let r = dstCache.get(y);
  if (!r) dstCache.set(y, (r = [lastSunday(y, 2), lastSunday(y, 9)]));
  return ms >= r[0] && ms < r[1] ? 2 * HOUR : HOUR;
}
const p2 = (n) => String(n).padStart(2, '0');
function parts(ms, local) {
  const d = new Date(local ? ms + amsOffset(ms) : ms);
  return {
    y: d.getUTCFullYear(),
    mo: p2(d.getUTCMonth() + 1),
    d: p2(d.getUTCDate()),
    h: p2(d.getUTCHours()),
    mi: p2(d.getUTCMinutes()),
    s: p2(d.getUTCSeconds()),
    ms: String(d.getUTCMilliseconds()).padStart(3, '0'),
  };
}
/** One instant written in a given style. */
function ts(ms, style) {
  if (ms === null || ms === undefined) return null;
  switch (style) {
    case 'unix':
      return Math.floor(ms / 1000);
    case 'unix_ms':
      return ms;
    case 'z': {
      const t = parts(ms, false);
      return `${t.y}-${t.mo}-${t.d}T${t.h}:${t.mi}:${t.s}Z`;
    }
    case 'zms': {
      const t = parts(ms, false);
      return `${t.y}-${t.mo}-${t.d}T${t.h}:${t.mi}:${t.s}.${t.ms}Z`;
    }
    case 'offset': {
      const t = parts(ms, true);
      const o = amsOffset(ms) / HOUR;
      return `${t.y}-${t.mo}-${t.d}T${t.h}:${t.mi}:${t.s}+0${o}:00`;
    }
    case 'local': {
      const t = parts(ms, true);
      return `${t.y}-${t.mo}-${t.d}T${t.h}:${t.mi}:${t.s}`;
    }
    case 'sqlite': {
      const t = parts(ms, true);
      return `${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s}`;
    }
    case 'date': {
      const t = parts(ms, true);
      return `${t.y}-${t.mo}-${t.d}`;
    }
    case 'nl': {
      const t = parts(ms, true);
      return `${t.d}-${t.mo}-${t.y} ${t.h}:${t.mi}:${t.s}`;
    } // dd-MM-yyyy HH:mm:ss
    default:
      throw new Error(`unknown timestamp style ${style}`);
  }
}
/** A random instant in [a, b], mostly during office hours (local), never outside [T0, T1]. */
function at(a, b, office = 0.8) {
  let ms = between(a, b);
  if (chance(office)) {
    const local = ms + amsOffset(ms);
    const dayStart = local - (local % DAY);
    ms = Math.min(Math.max(dayStart + int(8 * 3600, 17 * 3600 + 3599) * 1000 - amsOffset(ms), a), b);
  }
  return Math.min(Math.max(ms, T0), T1);
}
/** Start of the month (local midnight) of an instant, as UTC ms. */
function monthStart(ms) {
  const t = parts(ms, true);
  const wall = Date.UTC(t.y, Number(t.mo) - 1, 1);
  return wall - amsOffset(wall);
}
const CUTOVER_2020 = Date.UTC(2020, 5, 1); // system migrations: older exports use SQLite datetimes

// ---------------------------------------------------------------------------------------------
// Dutch people, companies, places, numbers

const FIRST = [
  'Jan',
  'Pieter',
  'Kees',
  'Henk',
  'Willem',
  'Johan',
  'Sander',
  'Bas',
  'Thijs',
  'Daan',
  'Lars',
  'Sem',
  'Ruben',
  'Joost',
  'Maarten',
  'Gerrit',
  'Bram',
  'Niels',
  'Tim',
  'Stefan',
  'Anna',
  'Sanne',
  'Lotte',
  'Emma',
  'Sophie',
  'Fleur',
  'Iris',
  'Marieke',
  'Anouk',
  'Esther',
  'Ingrid',
  'Linda',
  'Femke',
  'Eva',
  'Julia',
  'Noor',
  'Tess',
  'Mirjam',
  'Annelies',
  'Wendy',
  'Mohamed',
  'Youssef',
  'Fatima',
  'Ayşe',
  'Özlem',
  'Chantal',
  'Rachid',
  'Dewi',
  'Priya',
  'Luuk',
];
const LAST = [
  ['', 'Jansen'],
  ['de', 'Vries'],
  ['van den', 'Berg'],
  ['van', 'Dijk'],
  ['', 'Bakker'],
  ['', 'Janssen'],
  ['', 'Visser'],
  ['', 'Smit'],
  ['', 'Meijer'],
  ['de', 'Boer'],
  ['', 'Mulder'],
  ['de', 'Groot'],
  ['', 'Bos'],
  ['', 'Vos'],
  ['', 'Peters'],
  ['', 'Hendriks'],
  ['van', 'Leeuwen'],
  ['', 'Dekker'],
  ['', 'Brouwer'],
  ['de', 'Wit'],
  ['', 'Dijkstra'],
  ['', 'Smits'],
  ['de', 'Graaf'],
  ['van der', 'Meer'],
  ['van der', 'Linden'],
  ['', 'Kok'],
  ['', 'Jacobs'],
  ['de', 'Haan'],
  ['', 'Vermeulen'],
  ['van den', 'Heuvel'],
  ['van der', 'Veen'],
  ['van den', 'Broek'],
  ['de', 'Bruijn'],
  ['de', 'Jong'],
  ['', 'Hoekstra'],
  ['', 'Postma'],
  ['', 'Zijlstra'],
  ['', 'Bouma'],
  ['', 'Yılmaz'],
  ['El', 'Amrani'],
  ['', 'Wijaya'],
  ["'t", 'Hart'],
  ['van', "'t Hof"],
];
const CITIES = [
  ['Amsterdam', 1011, 1109],
  ['Rotterdam', 3011, 3089],
  ['Den Haag', 2491, 2599],
  ['Utrecht', 3511, 3585],
  ['Eindhoven', 5611, 5658],
  ['Groningen', 9711, 9747],
  ['Leeuwarden', 8911, 8939],
  ['Hoogeveen', 7901, 7909],
  ['Zwolle', 8011, 8043],
  ['Tilburg', 5011, 5049],
  ['Breda', 4811, 4839],
  ['Nijmegen', 6511, 6546],
  ['Arnhem', 6811, 6846],
  ['Haarlem', 2011, 2037],
  ['Almere', 1312, 1364],
  ['Enschede', 7511, 7548],
  ['Maastricht', 6211, 6229],
  ['Leiden', 2311, 2334],
  ['Delft', 2611, 2629],
  ['Apeldoorn', 7311, 7339],
  ['Amersfoort', 3811, 3829],
  ["'s-Hertogenbosch", 5211, 5236],
  ['Assen', 9401, 9409],
  ['Drachten', 9200, 9205],
];
const AREA = {
  Amsterdam: '020',
  Rotterdam: '010',
  'Den Haag': '070',
  Utrecht: '030',
  Eindhoven: '040',
  Groningen: '050',
  Leeuwarden: '058',
  Hoogeveen: '0528',
  Zwolle: '038',
  Tilburg: '013',
  Breda: '076',
  Nijmegen: '024',
  Arnhem: '026',
  Haarlem: '023',
  Almere: '036',
  Enschede: '053',
  Maastricht: '043',
  Leiden: '071',
  Delft: '015',
  Apeldoorn: '055',
  Amersfoort: '033',
  "'s-Hertogenbosch": '073',
  Assen: '0592',
  Drachten: '0512',
};
const STREETS = [
  'Dorpsstraat',
  'Kerkstraat',
  'Stationsweg',
  'Hoofdstraat',
  'Molenweg',
  'Schoolstraat',
  'Julianastraat',
  'Wilhelminastraat',
  'Beatrixlaan',
  'Industrieweg',
  'Nieuwe Binnenweg',
  'Westblaak',
  'Oudegracht',
  'Marktplein',
  'Handelsweg',
  'Zuiderdiep',
  'Burgemeester de Withstraat',
  'Prins Hendrikkade',
  'Energieweg',
  'Koningin Julianaplein',
  'Nijverheidsweg',
  'Van Heemstraweg',
];
const TRADES = [
  'Bakkerij',
  'Installatietechniek',
  'Autobedrijf',
  'Tandartspraktijk',
  'Administratiekantoor',
  'Hoveniersbedrijf',
  'Fysiotherapie',
  'Transport',
  'Bouwbedrijf',
  'Makelaardij',
  'Schildersbedrijf',
  'Accountants',
  'Dierenkliniek',
  'Zorggroep',
  'Kapsalon',
  'Elektrotechniek',
  'Webdesign',
  'Loodgietersbedrijf',
  'Notariskantoor',
  'Huisartsenpraktijk',
];
const MAIL_DOMAINS = [
  'gmail.com',
  'hotmail.com',
  'outlook.com',
  'ziggo.nl',
  'kpnmail.nl',
  'xs4all.nl',
  'live.nl',
  'planet.nl',
  'home.nl',
  'icloud.com',
];
const BANKS = ['ABNA', 'RABO', 'INGB', 'SNSB', 'TRIO', 'KNAB', 'BUNQ', 'ASNB'];
const CARRIERS = ['KPN', 'Vodafone', 'T-Mobile', 'Odido', 'Tele2', 'Lebara', 'Ziggo', 'Simpel'];
const WEEKDAYS = ['maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag'];

const slug = (s) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ı/g, 'i')
    .replace(/[^a-z0-9]+/g, '');
function person() {
  const first = pick(FIRST);
  const [tv, last] = pick(LAST);
  const lastName = tv ? `${tv} ${last}` : last;
  const name = `${first} ${lastName}`;
  const email = weighted([
    [`${slug(first)}.${slug(tv + last)}@${pick(MAIL_DOMAINS)}`, 5],
    [`${slug(first)[0]}.${slug(tv + last)}@${pick(MAIL_DOMAINS)}`, 3],
    [`${slug(first)}${int(1, 99)}@${pick(MAIL_DOMAINS)}`, 2],
  ]);
  return { first, last: lastName, name, email, mobile: mobile(), city: pick(CITIES) };
}
function mobile() {
  const n = `6${digits(8)}`;
  return weighted([
    [`+31 6 ${n.slice(1)}`, 4],
    [`06-${n.slice(1)}`, 3],
    [`+31${n}`, 2],
    [`06 ${n.slice(1, 3)} ${n.slice(3, 5)} ${n.slice(5, 7)} ${n.slice(7)}`, 1],
  ]);
}
function landline(city) {
  const area = AREA[city] ?? '088';
  const rest = digits(10 - area.length);
  return chance(0.6) ? `${area}-${rest}` : `+31 ${area.slice(1)} ${rest}`;
}
const anyNumber = () => (chance(0.55) ? mobile() : landline(pick(CITIES)[0]));
const e164 = () => `+316${digits(8)}`;
function serviceNumber() {
  const kind = chance(0.6) ? '0800' : '0900';
  return chance(0.7) ? `${kind}-${digits(4)}` : `${kind}-${digits(7)}`;
}
function postcode([, lo, hi]) {
  let l;
  do l = String.fromCharCode(65 + int(0, 25)) + String.fromCharCode(65 + int(0, 25));
  while (['SA', 'SD', 'SS'].includes(l));
  return `${int(lo, hi)} ${l}`;
}
const houseNumber = () =>
  weighted([
    [`${int(1, 250)}`, 8],
    [`${int(1, 120)}${pick(['a', 'b', 'c'])}`, 1],
    [`${int(1, 80)}-${pick(['I', 'II', 'III', 'hs'])}`, 1],
  ]);
const street = () => `${pick(STREETS)} ${houseNumber()}`;
const address = (city = pick(CITIES)) => `${street()}, ${postcode(city)} ${city[0]}`;
function company() {
  const [, last] = pick(LAST);
  return weighted([
    [`${pick(TRADES)} ${last} B.V.`, 4],
    [`${last} ${pick(TRADES)}`, 3],
    [`${pick(TRADES)} ${last} & Zn.`, 1],
    [`${pick(LAST)[1]}, ${last} & Partners`, 1], // a comma: quoted in CSV
    [`"De ${pick(['Zonnebloem', 'Vaart', 'Linde', 'Molen', 'Haven'])}" ${pick(TRADES)}`, 1], // quotes in CSV
  ]);
}
const kvk = () => `${int(1, 9)}${digits(7)}`;
function iban() {
  const bank = pick(BANKS);
  const acct = digits(10);
  const num = `${bank}${acct}NL00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let mod = 0;
  for (const ch of num) mod = (mod * 10 + Number(ch)) % 97;
  return `NL${p2(98 - mod)}${bank}${acct}`;
}
function luhn(body) {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body + ((10 - (sum % 10)) % 10);
}
const imei = () => luhn(`35${digits(12)}`);
const iccid = () => luhn(`893120${digits(12)}`);
const imsi = () => `${pick(['20408', '20416', '20404', '20420'])}${digits(10)}`;
const OCTET1 = [31, 37, 45, 62, 77, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 91, 92, 93, 94, 95, 145, 176, 178, 185, 188, 212, 213, 217];
function ip() {
  if (chance(0.12))
    return `2a02:${pick(['a44', 'a46', '58', '1810'])}:${int(0, 65535).toString(16)}:${int(0, 65535).toString(16)}::${int(1, 65535).toString(16)}`;
  return `${pick(OCTET1)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
}
const mac = () => Array.from({ length: 6 }, () => p2(int(0, 255).toString(16))).join(':');
const SIP_AGENTS = [
  'Yealink SIP-T46S 66.86.0.15',
  'Yealink SIP-T54W 96.86.0.70',
  'snom D785/10.1.54.13',
  'Grandstream GXP2170 1.0.11.3',
  'Gigaset N670 IP PRO/2.48.1',
  'Zoiper rv2.10.19.5',
  'Linphone/5.2.4 (belle-sip/5.2.0)',
];
const WEB_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Mobile Safari/537.36',
];
const money = (lo, hi) => Math.round((lo + rnd() * (hi - lo)) * 100) / 100;
const hold = (p = 0.004) => (chance(p) ? 1 : 0);
const customerHold = (c, p = 0.004) => (c.hold || chance(p) ? 1 : 0);

// Free text as people type it: commas, quotes and line breaks that a CSV must quote.
function ticketText(p) {
  return pick([
    () => `Klant meldt: "geen kiestoon" sinds ${pick(WEEKDAYS)}, graag terugbellen op ${p.mobile}.`,
    () => `Storing internet op locatie ${p.city[0]}.\nModem knippert rood, al twee keer herstart.\nGroet, ${p.first}`,
    () => `Factuur van ${pick(['januari', 'maart', 'juni', 'september', 'december'])} klopt niet, bedrag te hoog; graag een creditnota.`,
    () => `Graag nummer doorschakelen naar ${mobile()} tijdens de vakantie, vanaf ${pick(WEEKDAYS)}.`,
    () => `Toestel "Yealink T46" geeft 'registration failed'. Na reboot zelfde probleem, zie screenshot.`,
    () => `Echo op de lijn bij uitgaande gesprekken naar mobiel.\r\nVooral 's ochtends, tussen 9 en 11.`,
    () => `Verzoek om extra toestel, inclusief headset, voor nieuwe collega ${person().name}.`,
    () => `Wachtmuziek aanpassen: "welkom bij ${company().replace(/"/g, '')}", graag vóór vrijdag.`,
  ])();
}
function chatText(p) {
  const greet = pick(['Hoi', 'Goedemiddag', 'Hallo', 'Goedemorgen']);
  return pick([
    () =>
      `Bezoeker: ${greet}, ik heb een vraag over mijn factuur.\nMedewerker: ${greet} ${p.first}, waarmee kan ik helpen?\nBezoeker: Er staat een bedrag op van €${money(20, 400)}, klopt dat?`,
    () => `Bezoeker: Kan ik mijn 085-nummer "meenemen" naar jullie?\nMedewerker: Ja, dat heet nummerbehoud, ik stuur je de info per mail.`,
    () => `Bezoeker: De wachtrij werkt niet meer, bellers horen "in gesprek".\nMedewerker: Ik kijk even mee, één moment.`,
    () => `Bezoeker: Wat kost een extra gebruiker?\nMedewerker: €${money(4, 15)} per maand, excl. btw.`,
  ])();
}
function contactText() {
  return pick([
    () => `Graag een offerte voor ${int(2, 40)} toestellen, inclusief "Onbeperkt bellen".`,
    () => `Wij willen overstappen van ${pick(CARRIERS)}, wat zijn de mogelijkheden?`,
    () => `Kunnen jullie bellen? Ik ben bereikbaar na 14:00, op ${mobile()}.`,
    () => `Vraag over glasvezel op ons adres: is dat beschikbaar, en zo ja, per wanneer?\nAlvast bedankt.`,
    () => `Afspraak maken voor een demo van de app; dinsdag of donderdag past het best.`,
  ])();
}

// ---------------------------------------------------------------------------------------------
// Organisations' customers: when the service started, and ended (null: ongoing)

function customers(n, { ended = 0.45, holdShare = 0.012 } = {}) {
  const out = [];
  for (let i = 1; i <= n; i++) {
    const start = between(T0 - 2 * YEAR, T1 - 90 * DAY);
    let end = null;
    if (chance(ended)) {
      end = at(Math.max(start + 120 * DAY, T0 + 60 * DAY), T1 + 2 * YEAR, 0.9);
      if (end >= T1 - DAY) end = null; // has not ended yet
    }
    const contact = person();
    out.push({ id: i, start, end, hold: chance(holdShare), company: company(), contact, city: contact.city });
  }
  return out;
}
/** The span in which a customer's records fall: from start (or T0) to end (or T1). */
const activeFrom = (c) => Math.max(c.start, T0);
const activeTo = (c) => c.end ?? T1;

// ---------------------------------------------------------------------------------------------
// The datasets. Columns in order with their SQLite type; `rows()` returns the records as objects
// whose keys must be exactly these columns. `corrupt` puts unreadable values into a few records.

const BC = customers(500);
const BELCO = customers(700, { ended: 0.4 });
const IPC = customers(350, { ended: 0.35 }).map((c) => ({ ...c, recordingDays: pick([30, 90, 90, 180, 365, 730, null]) }));
const VOIPS = customers(400, { ended: 0.4 });
const BF_NUMBERS = Array.from({ length: 150 }, (_, i) => ({
  id: i + 1,
  number: serviceNumber(),
  owner: person(),
  company: company(),
  retentionDays: pick([7, 14, 30, 30, 60, 90, 90, 180, 365, null]),
}));
for (const c of BC)
  c.services = weighted([
    ['bellen', 4],
    ['bellen,internet', 4],
    ['internet', 2],
  ]);
// Things several datasets point at, so that their dates and ends agree.
const BELCO_USERS = BELCO.flatMap((c) =>
  Array.from(
    {
      length: weighted([
        [1, 6],
        [2, 3],
        [3, 1],
      ]),
    },
    (_, k) => ({ c, p: k === 0 ? c.contact : person() }),
  ),
).map((u, i) => ({ ...u, id: i + 1, created: at(activeFrom(u.c), Math.min(activeFrom(u.c) + 200 * DAY, activeTo(u.c))) }));
const IPC_VOIP = Array.from({ length: 1500 }, (_, i) => {
  const c = pick(IPC);
  const created = at(activeFrom(c), activeTo(c));
  let end = c.end;
  if (!end && chance(0.15)) end = at(created + 30 * DAY, T1 + YEAR);
  if (end && end >= T1) end = null;
  return { id: i + 1, c, p: person(), created, end, sip: `ipc${digits(6)}`, agent: pick(SIP_AGENTS) };
});
const IPC_MOBILE = Array.from({ length: 1200 }, (_, i) => {
  const c = pick(IPC);
  const act = at(activeFrom(c), activeTo(c));
  let end = c.end;
  if (!end && chance(0.12)) end = at(act + 60 * DAY, T1 + YEAR);
  if (end && end >= T1) end = null;
  return { id: i + 1, c, act, end, msisdn: e164(), hold: customerHold(c) };
});
const VOIPS_INVOICES = Array.from({ length: 2500 }, (_, i) => {
  const c = pick(VOIPS);
  const date = Math.max(monthStart(between(activeFrom(c), activeTo(c))), T0);
  const amount = money(20, 1500);
  let paid = chance(0.95) ? date + int(2, 35) * DAY + int(8, 17) * HOUR : null;
  if (paid && paid >= T1) paid = null;
  return { id: i + 1, c, date, amount, vat: Math.round(amount * 21) / 100, paid, hold: customerHold(c) };
});

const bcStyle = (ms) => (ms < CUTOVER_2020 ? 'sqlite' : 'offset');

const DATASETS = [
  // ----- Belcentrale -------------------------------------------------------------------------
  {
    name: 'belcentrale_customers',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      company_name: 'TEXT',
      kvk_number: 'TEXT',
      contact_name: 'TEXT',
      street: 'TEXT',
      postcode: 'TEXT',
      city: 'TEXT',
      email: 'TEXT',
      phone: 'TEXT',
      iban: 'TEXT',
      services: 'TEXT',
      subscription: 'TEXT',
      signed_up_at: 'TEXT',
      service_ended_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      BC.map((c) => ({
        id: c.id,
        company_name: c.company,
        kvk_number: kvk(),
        contact_name: c.contact.name,
        street: street(),
        postcode: postcode(c.city),
        city: c.city[0],
        email: c.contact.email,
        phone: landline(c.city[0]),
        iban: iban(),
        services: c.services,
        subscription: pick(['Zakelijk Basis', 'Zakelijk Onbeperkt', 'Hosted Telefonie 10', 'Glasvezel Zakelijk 500']),
        signed_up_at: ts(c.start, bcStyle(c.start)),
        service_ended_at: ts(c.end, c.end && bcStyle(c.end)),
        legal_hold: c.hold ? 1 : 0,
      })),
  },
  {
    name: 'belcentrale_contact_messages',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      name: 'TEXT',
      email: 'TEXT',
      phone: 'TEXT',
      kind: 'TEXT',
      message: 'TEXT',
      submitted_at: 'TEXT',
      service_ended_at: 'TEXT',
      minor_reported_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      Array.from({ length: 1200 }, (_, i) => {
        const c = chance(0.6) ? pick(BC) : null;
        const p = c ? c.contact : person();
        const sent = c ? at(activeFrom(c), activeTo(c)) : at(T0, T1);
        const minor = i % 199 === 17 ? at(sent + DAY, Math.min(sent + 40 * DAY, T1)) : null;
        return {
          id: i + 1,
          customer_id: c?.id ?? null,
          name: p.name,
          email: p.email,
          phone: chance(0.7) ? p.mobile : null,
          kind: pick(['vraag', 'vraag', 'afspraak']),
          message: contactText(),
          submitted_at: ts(sent, 'local'),
          service_ended_at: ts(c?.end, 'local'),
          minor_reported_at: ts(minor, 'local'),
          legal_hold: c ? customerHold(c) : hold(),
        };
      }),
  },
  {
    name: 'belcentrale_cdr',
    csv: { crlf: true }, // exported from the legacy switch on Windows
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      caller: 'TEXT',
      callee: 'TEXT',
      direction: 'TEXT',
      started_at: 'TEXT',
      duration_s: 'INTEGER',
      carrier: 'TEXT',
      service_ended_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    corrupt: { service_ended_at: ['31-02-2021 10:15:00', 'unknown', '2021-05-04T10:00:00', '00-00-0000 00:00:00'] },
    rows: () =>
      Array.from({ length: 7000 }, (_, i) => {
        const c = pick(BC.filter((x) => x.services.includes('bellen')));
        const t = at(activeFrom(c), activeTo(c));
        const out = chance(0.6);
        const own = landline(c.city[0]);
        return {
          id: i + 1,
          customer_id: c.id,
          caller: out ? own : anyNumber(),
          callee: out ? anyNumber() : own,
          direction: out ? 'uit' : 'in',
          started_at: ts(t, 'nl'),
          duration_s: Math.round(expo(170)),
          carrier: pick(CARRIERS),
          service_ended_at: ts(c.end, 'nl'),
          legal_hold: customerHold(c),
        };
      }),
  },
  {
    name: 'belcentrale_internet_sessions',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      ip_address: 'TEXT',
      mac_address: 'TEXT',
      imei: 'TEXT',
      started_at: 'TEXT',
      duration_s: 'INTEGER',
      data_mb: 'REAL',
      service_ended_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      Array.from({ length: 3500 }, (_, i) => {
        const c = pick(BC.filter((x) => x.services.includes('internet')));
        const t = at(activeFrom(c), activeTo(c), 0.5);
        return {
          id: i + 1,
          customer_id: c.id,
          ip_address: ip(),
          mac_address: mac(),
          imei: chance(0.3) ? imei() : null,
          started_at: ts(t, 'zms'),
          duration_s: Math.round(expo(5400)),
          data_mb: Math.round(expo(800) * 10) / 10,
          service_ended_at: ts(c.end, 'z'),
          legal_hold: customerHold(c),
        };
      }),
  },
  {
    name: 'belcentrale_invoices',
    csv: { bom: true }, // saved from Excel
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      invoice_number: 'TEXT',
      company_name: 'TEXT',
      amount_eur: 'REAL',
      invoice_date: 'TEXT',
      paid_at: 'TEXT',
      service_ended_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    corrupt: { invoice_date: ['31-02-2021', '2019-02-30'] },
    rows: () =>
      Array.from({ length: 4000 }, (_, i) => {
        const c = pick(BC);
        const d = monthStart(between(activeFrom(c), activeTo(c)));
        const paid = chance(0.96) ? d + int(3, 40) * DAY + int(8, 17) * HOUR : null;
        const year = parts(d, true).y;
        return {
          id: i + 1,
          customer_id: c.id,
          invoice_number: `BC-${year}-${String(i + 1).padStart(5, '0')}`,
          company_name: c.company,
          amount_eur: money(25, 900),
          invoice_date: ts(Math.max(d, T0), 'date'),
          paid_at: paid && paid < T1 ? ts(paid, 'date') : null,
          service_ended_at: ts(c.end, 'date'),
          legal_hold: customerHold(c),
        };
      }),
  },
  {
    name: 'belcentrale_support_tickets',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      subject: 'TEXT',
      description: 'TEXT',
      reported_at: 'TEXT',
      closed_at: 'TEXT',
      service_ended_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      Array.from({ length: 1200 }, (_, i) => {
        const c = pick(BC);
        const t = at(activeFrom(c), activeTo(c));
        const closed = chance(0.95) ? t + Math.round(expo(3 * DAY)) : null;
        return {
          id: i + 1,
          customer_id: c.id,
          subject: pick(['Storing', 'Klacht', 'Factuurvraag', 'Wijziging', 'Nummerbehoud']),
          description: ticketText(c.contact),
          reported_at: ts(t, 'sqlite'),
          closed_at: closed && closed < T1 ? ts(closed, 'sqlite') : null,
          service_ended_at: ts(c.end, 'sqlite'),
          legal_hold: customerHold(c),
        };
      }),
  },

  // ----- Belco ---------------------------------------------------------------------------------
  {
    name: 'belco_orders',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      order_number: 'TEXT',
      customer_name: 'TEXT',
      email: 'TEXT',
      phone: 'TEXT',
      ip_address: 'TEXT',
      delivery_address: 'TEXT',
      billing_address: 'TEXT',
      payment_method: 'TEXT',
      iban: 'TEXT',
      total_eur: 'REAL',
      status: 'TEXT',
      ordered_at: 'TEXT',
      completed_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    corrupt: { completed_at: ['31-02-2021', 'unknown', '2019-02-30 12:00:00'] },
    rows: () =>
      Array.from({ length: 3500 }, (_, i) => {
        const p = person();
        const t = at(T0, T1);
        const open = T1 - t < 21 * DAY ? chance(0.7) : chance(0.01);
        const done = open ? null : Math.min(t + int(1, 14) * DAY + int(0, 8) * HOUR, T1);
        const st = open ? pick(['in behandeling', 'verzonden']) : chance(0.06) ? 'geannuleerd' : 'afgerond';
        const style = t < CUTOVER_2020 ? 'sqlite' : 'offset';
        const billing = address(p.city);
        const pay = pick(['iDEAL', 'iDEAL', 'creditcard', 'op rekening']);
        return {
          id: i + 1,
          order_number: `BEL-${parts(t, true).y}${String(i + 1).padStart(6, '0')}`,
          customer_name: p.name,
          email: p.email,
          phone: p.mobile,
          ip_address: ip(),
          delivery_address: chance(0.8) ? billing : address(),
          billing_address: billing,
          payment_method: pay,
          iban: pay === 'creditcard' ? null : iban(),
          total_eur: money(15, 2500),
          status: st,
          ordered_at: ts(t, style),
          completed_at: ts(done, style),
          legal_hold: hold(0.006),
        };
      }),
  },
  {
    name: 'belco_dashboard_users',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      name: 'TEXT',
      email: 'TEXT',
      phone: 'TEXT',
      billing_address: 'TEXT',
      ip_address: 'TEXT',
      profile_photo_url: 'TEXT',
      created_at: 'TEXT',
      service_ended_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      BELCO_USERS.map((u) => ({
        id: u.id,
        customer_id: u.c.id,
        name: u.p.name,
        email: u.p.email,
        phone: u.p.mobile,
        billing_address: address(u.c.city),
        ip_address: ip(),
        profile_photo_url: chance(0.4) ? `https://cdn.belco.io/avatars/${u.id}-${digits(6)}.jpg` : null,
        created_at: ts(u.created, 'offset'),
        service_ended_at: ts(u.c.end, 'offset'),
        legal_hold: customerHold(u.c),
      })),
  },
  {
    name: 'belco_dashboard_activity',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      user_id: 'INTEGER',
      customer_id: 'INTEGER',
      action: 'TEXT',
      details: 'TEXT',
      ip_address: 'TEXT',
      performed_at: 'TEXT',
      service_ended_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      Array.from({ length: 4000 }, (_, i) => {
        const u = pick(BELCO_USERS);
        const c = u.c;
        const action = pick([
          'login',
          'openingstijden gewijzigd',
          'doorschakeling ingesteld',
          'keuzemenu aangepast',
          'welkomstbericht geüpload',
          'gebruiker toegevoegd',
          'wachtrij gewijzigd',
        ]);
        const details =
          action === 'doorschakeling ingesteld'
            ? `naar ${mobile()}, na ${int(10, 30)} sec`
            : action === 'openingstijden gewijzigd'
              ? `ma-vr 08:30-17:30, za ${pick(['gesloten', '10:00-14:00'])}`
              : null;
        return {
          id: i + 1,
          user_id: u.id,
          customer_id: c.id,
          action,
          details,
          ip_address: ip(),
          performed_at: ts(at(u.created, activeTo(c)), 'z'),
          service_ended_at: ts(c.end, 'z'),
          legal_hold: customerHold(c),
        };
      }),
  },
  {
    name: 'belco_contact_form',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      name: 'TEXT',
      email: 'TEXT',
      phone: 'TEXT',
      ip_address: 'TEXT',
      subject: 'TEXT',
      message: 'TEXT',
      submitted_at: 'TEXT',
      resolved_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      Array.from({ length: 1200 }, (_, i) => {
        const p = person();
        const t = at(T0, T1);
        const r = chance(0.95) ? t + Math.round(expo(2 * DAY)) : null;
        return {
          id: i + 1,
          name: p.name,
          email: p.email,
          phone: chance(0.6) ? p.mobile : null,
          ip_address: ip(),
          subject: pick(['Offerte', 'Vraag', 'Aanvraag demo', 'Nummerbehoud', 'Overig']),
          message: contactText(),
          submitted_at: ts(t, 'offset'),
          resolved_at: r && r < T1 ? ts(r, 'offset') : null,
          legal_hold: hold(),
        };
      }),
  },
  {
    name: 'belco_newsletter_subscribers',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      email: 'TEXT',
      first_name: 'TEXT',
      source: 'TEXT',
      subscribed_at: 'TEXT',
      unsubscribed_at: 'TEXT',
    },
    rows: () =>
      Array.from({ length: 2500 }, (_, i) => {
        const p = person();
        const t = at(T0, T1, 0.5);
        const u = chance(0.3) ? between(t + DAY, T1) : null;
        return {
          id: i + 1,
          email: p.email,
          first_name: chance(0.7) ? p.first : null,
          source: pick(['website', 'account', 'bestelling', 'beurs']),
          subscribed_at: ts(t, 'date'),
          unsubscribed_at: ts(u, chance(0.5) ? 'z' : 'sqlite'),
        };
      }),
  },
  {
    name: 'belco_accounts',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      username: 'TEXT',
      name: 'TEXT',
      email: 'TEXT',
      phone: 'TEXT',
      billing_address: 'TEXT',
      ip_address: 'TEXT',
      created_at: 'TEXT',
      closed_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      Array.from({ length: 1400 }, (_, i) => {
        const p = person();
        const t = at(T0, T1);
        const closed = chance(0.22) ? at(t + 30 * DAY, T1 + YEAR) : null;
        return {
          id: i + 1,
          username: `${slug(p.first)}${slug(p.last).slice(0, 6)}${int(1, 999)}`,
          name: p.name,
          email: p.email,
          phone: p.mobile,
          billing_address: address(p.city),
          ip_address: ip(),
          created_at: ts(t, 'sqlite'),
          closed_at: closed && closed < T1 ? ts(closed, 'sqlite') : null,
          legal_hold: hold(),
        };
      }),
  },
  {
    name: 'belco_chat_conversations',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      contact_type: 'TEXT',
      customer_id: 'INTEGER',
      name: 'TEXT',
      email: 'TEXT',
      phone: 'TEXT',
      ip_address: 'TEXT',
      channel: 'TEXT',
      transcript: 'TEXT',
      started_at: 'TEXT',
      last_contact_at: 'TEXT',
      service_ended_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    corrupt: { last_contact_at: ['unknown', '2022-13-01T10:00:00Z'] },
    rows: () =>
      Array.from({ length: 2500 }, (_, i) => {
        const c = chance(0.55) ? pick(BELCO) : null;
        const p = c ? c.contact : person();
        const t = c ? at(activeFrom(c), activeTo(c)) : at(T0, T1);
        const last = Math.min(t + (chance(0.6) ? int(0, 3) * HOUR : Math.round(expo(20 * DAY))), T1);
        return {
          id: i + 1,
          contact_type: c ? 'customer' : 'visitor',
          customer_id: c?.id ?? null,
          name: chance(c ? 1 : 0.5) ? p.name : null,
          email: chance(0.8) ? p.email : null,
          phone: chance(0.3) ? p.mobile : null,
          ip_address: ip(),
          channel: pick(['chat', 'chat', 'chat', 'telefoon', 'email']),
          transcript: chatText(p),
          started_at: ts(t, 'zms'),
          last_contact_at: ts(last, 'zms'),
          service_ended_at: ts(c?.end, 'zms'),
          legal_hold: c ? customerHold(c) : hold(),
        };
      }),
  },

  // ----- IP Central ----------------------------------------------------------------------------
  {
    name: 'ipcentral_billing_accounts',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      company_name: 'TEXT',
      kvk_number: 'TEXT',
      vat_number: 'TEXT',
      billing_email: 'TEXT',
      created_at: 'TEXT',
      service_ended_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      IPC.map((c) => ({
        id: c.id,
        company_name: c.company,
        kvk_number: kvk(),
        vat_number: `NL${digits(9)}B${p2(int(1, 99))}`,
        billing_email: `facturen@${slug(c.company).slice(0, 18)}.nl`,
        created_at: ts(c.start, 'offset'),
        service_ended_at: ts(c.end, 'offset'),
        legal_hold: c.hold ? 1 : 0,
      })),
  },
  {
    name: 'ipcentral_contacts',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      name: 'TEXT',
      role: 'TEXT',
      phone: 'TEXT',
      email: 'TEXT',
      created_at: 'TEXT',
      service_ended_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () => {
      const out = [];
      for (const c of IPC)
        for (let k = 0, n = int(1, 4); k < n; k++) {
          const p = k === 0 ? c.contact : person();
          out.push({
            id: out.length + 1,
            customer_id: c.id,
            name: p.name,
            role: pick(['beheerder', 'financieel', 'technisch', 'directie']),
            phone: chance(0.5) ? p.mobile : landline(c.city[0]),
            email: `${slug(p.first)}.${slug(p.last)}@${slug(c.company).slice(0, 18)}.nl`,
            created_at: ts(c.start, 'offset'),
            service_ended_at: ts(c.end, 'offset'),
            legal_hold: customerHold(c),
          });
        }
      return out;
    },
  },
  {
    name: 'ipcentral_sites',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      street: 'TEXT',
      postcode: 'TEXT',
      city: 'TEXT',
      installed_at: 'TEXT',
      service_ended_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () => {
      const out = [];
      for (const c of IPC)
        for (
          let k = 0,
            n = weighted([
              [1, 6],
              [2, 3],
              [4, 1],
            ]);
          k < n;
          k++
        ) {
          const city = k === 0 ? c.city : pick(CITIES);
          out.push({
            id: out.length + 1,
            customer_id: c.id,
            street: street(),
            postcode: postcode(city),
            city: city[0],
            installed_at: ts(c.start + int(5, 40) * DAY, 'offset'),
            service_ended_at: ts(c.end, 'offset'),
            legal_hold: customerHold(c),
          });
        }
      return out;
    },
  },
  {
    name: 'ipcentral_internet_connections',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      service_id: 'TEXT',
      line_id: 'TEXT',
      public_ip: 'TEXT',
      activated_at: 'TEXT',
      service_ended_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      Array.from({ length: 600 }, (_, i) => {
        const c = IPC[i % IPC.length];
        return {
          id: i + 1,
          customer_id: c.id,
          service_id: `SID-${digits(7)}`,
          line_id: `${pick(['KPN', 'EUR', 'GLD'])}-${digits(10)}`,
          public_ip: ip(),
          activated_at: ts(c.start + int(10, 60) * DAY, 'offset'),
          service_ended_at: ts(c.end, 'offset'),
          legal_hold: customerHold(c),
        };
      }),
  },
  {
    name: 'ipcentral_cdr',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      service: 'TEXT',
      caller: 'TEXT',
      callee: 'TEXT',
      direction: 'TEXT',
      started_at: 'TEXT',
      duration_s: 'INTEGER',
      cell_id: 'TEXT',
      legal_hold: 'INTEGER',
    },
    corrupt: { started_at: ['unknown', '2021-02-29 08:12:00', '0000-00-00 00:00:00'] },
    rows: () =>
      Array.from({ length: 6000 }, (_, i) => {
        const c = pick(IPC);
        const service = chance(0.6) ? 'voip' : 'mobile';
        const t = at(activeFrom(c), activeTo(c));
        const out = chance(0.55);
        const own = service === 'voip' ? landline(c.city[0]) : e164();
        return {
          id: i + 1,
          customer_id: c.id,
          service,
          caller: out ? own : anyNumber(),
          callee: out ? anyNumber() : own,
          direction: out ? 'out' : 'in',
          started_at: ts(t, t < CUTOVER_2020 ? 'sqlite' : 'offset'),
          duration_s: Math.round(expo(150)),
          cell_id: service === 'mobile' ? `204-08-${int(1000, 9999)}-${int(10000, 99999)}` : null,
          legal_hold: customerHold(c),
        };
      }),
  },
  {
    name: 'ipcentral_internet_sessions',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      service_id: 'TEXT',
      line_id: 'TEXT',
      public_ip: 'TEXT',
      started_at: 'TEXT',
      ended_at: 'TEXT',
      bytes_in: 'INTEGER',
      bytes_out: 'INTEGER',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      Array.from({ length: 2500 }, (_, i) => {
        const c = pick(IPC);
        const t = at(activeFrom(c), activeTo(c), 0.3);
        const e = t + Math.round(expo(2 * DAY));
        return {
          id: i + 1,
          customer_id: c.id,
          service_id: `SID-${digits(7)}`,
          line_id: `KPN-${digits(10)}`,
          public_ip: ip(),
          started_at: ts(t, 'z'),
          ended_at: e < T1 ? ts(e, 'z') : null,
          bytes_in: Math.round(expo(4e9)),
          bytes_out: Math.round(expo(6e8)),
          legal_hold: customerHold(c),
        };
      }),
  },
  {
    name: 'ipcentral_mail_log',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      message_id: 'TEXT',
      sender: 'TEXT',
      recipient: 'TEXT',
      client_ip: 'TEXT',
      sent_at: 'TEXT',
      size_bytes: 'INTEGER',
      status: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      Array.from({ length: 3000 }, (_, i) => {
        const c = pick(IPC);
        const dom = `${slug(c.company).slice(0, 18)}.nl`;
        const t = at(activeFrom(c), activeTo(c), 0.7);
        return {
          id: i + 1,
          customer_id: c.id,
          message_id: `<${digits(12)}.${digits(6)}@mx${int(1, 3)}.ip-central.nl>`,
          sender: `${slug(person().first)}@${dom}`,
          recipient: person().email,
          client_ip: ip(),
          sent_at: ts(t, 'z'),
          size_bytes: Math.round(expo(80_000)),
          status: weighted([
            ['sent', 95],
            ['deferred', 3],
            ['bounced', 2],
          ]),
          legal_hold: customerHold(c),
        };
      }),
  },
  {
    name: 'ipcentral_support_tickets',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      contact_name: 'TEXT',
      email: 'TEXT',
      phone: 'TEXT',
      subject: 'TEXT',
      description: 'TEXT',
      created_at: 'TEXT',
      closed_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    corrupt: { closed_at: ['n.v.t.', 'unknown'] },
    rows: () =>
      Array.from({ length: 1200 }, (_, i) => {
        const c = pick(IPC);
        const p = chance(0.5) ? c.contact : person();
        const t = at(activeFrom(c), activeTo(c));
        const closed = chance(0.96) ? t + Math.round(expo(4 * DAY)) : null;
        return {
          id: i + 1,
          customer_id: c.id,
          contact_name: p.name,
          email: p.email,
          phone: p.mobile,
          subject: pick(['Storing VoIP', 'Storing internet', 'Nummerporting', 'Simkaart', 'Factuur', 'Wijziging keuzemenu']),
          description: ticketText(p),
          created_at: ts(t, 'offset'),
          closed_at: closed && closed < T1 ? ts(closed, 'offset') : null,
          legal_hold: customerHold(c),
        };
      }),
  },
  {
    name: 'ipcentral_support_recordings',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      caller_number: 'TEXT',
      agent: 'TEXT',
      recorded_at: 'TEXT',
      duration_s: 'INTEGER',
      audio_file: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      Array.from({ length: 1200 }, (_, i) => {
        // a support line records calls; most recordings are recent because of the 90 days
        const t = chance(0.5) ? at(T1 - 200 * DAY, T1) : at(T0, T1);
        return {
          id: i + 1,
          caller_number: anyNumber(),
          agent: pick(['roelof', 'marieke', 'sander', 'fatima', 'joost', 'iris']),
          recorded_at: ts(t, 'offset'),
          duration_s: Math.round(expo(300)),
          audio_file: `rec/support/${ts(t, 'date')}/${digits(10)}.wav`,
          legal_hold: hold(0.01),
        };
      }),
  },
  {
    name: 'ipcentral_voip_accounts',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      name: 'TEXT',
      phone_number: 'TEXT',
      email: 'TEXT',
      extension: 'TEXT',
      created_at: 'TEXT',
      decommissioned_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      IPC_VOIP.map((a) => ({
        id: a.id,
        customer_id: a.c.id,
        name: a.p.name,
        phone_number: landline(a.c.city[0]),
        email: `${slug(a.p.first)}.${slug(a.p.last)}@${slug(a.c.company).slice(0, 18)}.nl`,
        extension: String(int(200, 299)),
        created_at: ts(a.created, 'offset'),
        decommissioned_at: ts(a.end, 'offset'),
        legal_hold: customerHold(a.c),
      })),
  },
  {
    name: 'ipcentral_voip_registrations',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      voip_account_id: 'INTEGER',
      sip_username: 'TEXT',
      ip_address: 'TEXT',
      user_agent: 'TEXT',
      registered_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      Array.from({ length: 2500 }, (_, i) => {
        // phones re-register every few minutes; the log keeps a sample: most rows are recent
        const a = pick(IPC_VOIP);
        const to = a.end ?? T1;
        const t = chance(0.4) ? at(Math.max(a.created, to - 150 * DAY), to, 0.6) : at(a.created, to, 0.6);
        return {
          id: i + 1,
          voip_account_id: a.id,
          sip_username: a.sip,
          ip_address: ip(),
          user_agent: a.agent,
          registered_at: ts(t, 'sqlite'),
          legal_hold: hold(),
        };
      }),
  },
  {
    name: 'ipcentral_mobile_subscriptions',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      msisdn: 'TEXT',
      iccid: 'TEXT',
      imei: 'TEXT',
      activated_at: 'TEXT',
      service_ended_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      IPC_MOBILE.map((m) => ({
        id: m.id,
        customer_id: m.c.id,
        msisdn: m.msisdn,
        iccid: iccid(),
        imei: imei(),
        activated_at: ts(m.act, 'offset'),
        service_ended_at: ts(m.end, 'offset'),
        legal_hold: m.hold,
      })),
  },
  {
    name: 'ipcentral_mobile_notifications',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      subscription_id: 'INTEGER',
      msisdn: 'TEXT',
      type: 'TEXT',
      message: 'TEXT',
      sent_at: 'TEXT',
      service_ended_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () => {
      return Array.from({ length: 2000 }, (_, i) => {
        const s = pick(IPC_MOBILE);
        const type = chance(0.5) ? 'grensovergang' : 'bundel';
        const message =
          type === 'grensovergang'
            ? `Welkom in ${pick(['België', 'Duitsland', 'Frankrijk', 'Spanje', 'Turkije', 'het VK'])}. Bellen, sms'en en internetten ${pick(['kost hetzelfde als thuis', 'kost €0,25 per MB, bellen €0,49/min'])}.`
            : `Je hebt ${pick(['80%', '100%'])} van je bundel van ${pick(['5 GB', '10 GB', '20 GB'])} verbruikt.`;
        return {
          id: i + 1,
          subscription_id: s.id,
          msisdn: s.msisdn,
          type,
          message,
          sent_at: ts(at(s.act, s.end ?? T1, 0.4), 'offset'),
          service_ended_at: ts(s.end, 'offset'),
          legal_hold: s.hold,
        };
      });
    },
  },
  {
    name: 'ipcentral_call_recordings',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      service: 'TEXT',
      caller: 'TEXT',
      callee: 'TEXT',
      recorded_at: 'TEXT',
      duration_s: 'INTEGER',
      audio_file: 'TEXT',
      retention_days: 'INTEGER',
      legal_hold: 'INTEGER',
    },
    corrupt: { retention_days: ['90 dagen', 'onbeperkt'] },
    rows: () =>
      Array.from({ length: 1500 }, (_, i) => {
        const c = pick(IPC.filter((x) => x.id % 3 === 0)); // a third of the clients records calls
        const t = at(activeFrom(c), activeTo(c));
        return {
          id: i + 1,
          customer_id: c.id,
          service: chance(0.7) ? 'voip' : 'mobile',
          caller: anyNumber(),
          callee: anyNumber(),
          recorded_at: ts(t, 'offset'),
          duration_s: Math.round(expo(200)),
          audio_file: `rec/${c.id}/${ts(t, 'date')}/${digits(8)}.mp3`,
          retention_days: c.recordingDays,
          legal_hold: customerHold(c, 0.01),
        };
      }),
  },
  {
    name: 'ipcentral_web_visits',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      visitor_id: 'TEXT',
      ip_address: 'TEXT',
      page: 'TEXT',
      referrer: 'TEXT',
      user_agent: 'TEXT',
      visited_at: 'INTEGER',
    },
    rows: () =>
      Array.from({ length: 4000 }, (_, i) => ({
        id: i + 1,
        visitor_id: `GA1.2.${digits(9)}.${digits(10)}`,
        ip_address: ip(),
        page: pick(['/', '/internet', '/telefonie', '/mobiel', '/cloud', '/contact', '/support', '/privacyverklaring', '/vacatures']),
        referrer: pick([null, 'https://www.google.nl/', 'https://www.bing.com/', 'https://www.linkedin.com/', 'https://duckduckgo.com/']),
        user_agent: pick(WEB_AGENTS),
        visited_at: ts(at(T0, T1, 0.6), 'unix_ms'),
      })),
  },
  {
    name: 'ipcentral_contact_form',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      company: 'TEXT',
      name: 'TEXT',
      email: 'TEXT',
      phone: 'TEXT',
      message: 'TEXT',
      submitted_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      Array.from({ length: 700 }, (_, i) => {
        const p = person();
        return {
          id: i + 1,
          company: chance(0.8) ? company() : null,
          name: p.name,
          email: p.email,
          phone: chance(0.7) ? p.mobile : null,
          message: contactText(),
          submitted_at: ts(at(T0, T1), 'offset'),
          legal_hold: hold(),
        };
      }),
  },

  // ----- Belfabriek -------------------------------------------------------------------------------
  {
    name: 'belfabriek_voicemail',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      service_number: 'TEXT',
      caller_number: 'TEXT',
      owner_email: 'TEXT',
      received_at: 'TEXT',
      emailed_at: 'TEXT',
      duration_s: 'INTEGER',
      audio_file: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      Array.from({ length: 1500 }, (_, i) => {
        const n = pick(BF_NUMBERS);
        const t = chance(0.5) ? at(T1 - 30 * DAY, T1, 0.7) : at(T0, T1, 0.7);
        const failed = chance(T1 - t < 3 * DAY ? 0.3 : 0.01); // bounced or still queued
        return {
          id: i + 1,
          service_number: n.number,
          caller_number: chance(0.85) ? anyNumber() : null,
          owner_email: n.owner.email,
          received_at: ts(t, 'sqlite'),
          emailed_at: failed ? null : ts(Math.min(t + int(4, 90) * 1000, T1), 'sqlite'),
          duration_s: Math.round(expo(35)) + 2,
          audio_file: `vm/${n.number.replace('-', '')}/${digits(12)}.wav`,
          legal_hold: hold(),
        };
      }),
  },
  {
    name: 'belfabriek_call_recordings',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      service_number: 'TEXT',
      caller_number: 'TEXT',
      delivered_to: 'TEXT',
      recorded_at: 'TEXT',
      duration_s: 'INTEGER',
      audio_file: 'TEXT',
      retention_days: 'INTEGER',
      legal_hold: 'INTEGER',
    },
    corrupt: { retention_days: ['90 dagen', 'onbeperkt', '-30'] },
    rows: () =>
      Array.from({ length: 2500 }, (_, i) => {
        const n = pick(BF_NUMBERS.filter((x) => x.id % 2 === 0)); // half of the numbers use call-recording
        const t = chance(0.4) ? at(T1 - 400 * DAY, T1) : at(T0, T1);
        const days = chance(0.1) ? pick([30, 90, 365]) : n.retentionDays; // the owner changed the setting
        return {
          id: i + 1,
          service_number: n.number,
          caller_number: chance(0.9) ? anyNumber() : null,
          delivered_to: landline(n.owner.city[0]),
          recorded_at: ts(t, 'offset'),
          duration_s: Math.round(expo(240)),
          audio_file: `cr/${n.number.replace('-', '')}/${digits(12)}.mp3`,
          retention_days: days,
          legal_hold: hold(0.008),
        };
      }),
  },

  // ----- Voips ---------------------------------------------------------------------------------
  {
    name: 'voips_invoices',
    csv: { crlf: true },
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      invoice_number: 'TEXT',
      customer_name: 'TEXT',
      email: 'TEXT',
      amount_eur: 'REAL',
      vat_eur: 'REAL',
      invoice_date: 'TEXT',
      due_date: 'TEXT',
      paid_at: 'TEXT',
      legal_hold: 'INTEGER',
    },
    rows: () =>
      VOIPS_INVOICES.map((v) => ({
        id: v.id,
        customer_id: v.c.id,
        invoice_number: `V${parts(v.date, true).y}-${String(v.id).padStart(5, '0')}`,
        customer_name: v.c.company,
        email: v.c.contact.email,
        amount_eur: v.amount,
        vat_eur: v.vat,
        invoice_date: ts(v.date, 'date'),
        due_date: ts(v.date + 14 * DAY, 'date'),
        paid_at: ts(v.paid, 'sqlite'),
        legal_hold: v.hold,
      })),
  },
  {
    name: 'voips_payments',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      invoice_id: 'INTEGER',
      iban: 'TEXT',
      account_holder: 'TEXT',
      amount_eur: 'REAL',
      method: 'TEXT',
      paid_at: 'INTEGER',
      legal_hold: 'INTEGER',
    },
    corrupt: { paid_at: ['unknown', '2021-03-04'] },
    rows: () =>
      VOIPS_INVOICES.filter((v) => v.paid !== null).map((v, i) => ({
        id: i + 1,
        invoice_id: v.id,
        iban: iban(),
        account_holder: v.c.company,
        amount_eur: Math.round((v.amount + v.vat) * 100) / 100,
        method: pick(['incasso', 'incasso', 'overboeking', 'iDEAL']),
        paid_at: ts(v.paid, 'unix'),
        legal_hold: v.hold,
      })),
  },
  {
    name: 'voips_cdr',
    columns: {
      id: 'INTEGER PRIMARY KEY',
      customer_id: 'INTEGER',
      solution: 'TEXT',
      caller: 'TEXT',
      callee: 'TEXT',
      started_at: 'TEXT',
      duration_s: 'INTEGER',
      imsi: 'TEXT',
      imei: 'TEXT',
      retention_days: 'INTEGER',
      legal_hold: 'INTEGER',
    },
    corrupt: { retention_days: ['zes maanden'] },
    rows: () =>
      Array.from({ length: 4000 }, (_, i) => {
        const c = pick(VOIPS);
        const solution = weighted([
          ['hosted-voip', 5],
          ['sip-trunk', 3],
          ['mobiel', 2],
          ['fax2mail', 0.5],
        ]);
        const days = { 'hosted-voip': 180, 'sip-trunk': 90, mobiel: 365, fax2mail: null }[solution];
        const t = at(activeFrom(c), activeTo(c));
        const mob = solution === 'mobiel';
        return {
          id: i + 1,
          customer_id: c.id,
          solution,
          caller: mob ? e164() : landline(c.city[0]),
          callee: anyNumber(),
          started_at: ts(t, t < Date.UTC(2022, 0, 1) ? 'local' : 'offset'),
          duration_s: Math.round(expo(160)),
          imsi: mob ? imsi() : null,
          imei: mob ? imei() : null,
          retention_days: days,
          legal_hold: customerHold(c),
        };
      }),
  },
];

// ---------------------------------------------------------------------------------------------
// Generate, check against the declared columns, write SQLite and CSV

function generate() {
  const all = {};
  for (const ds of DATASETS) {
    rnd = mulberry32(SEED ^ hash(ds.name)); // each dataset has its own stream: editing one leaves the others unchanged
    const rows = ds.rows();
    const cols = Object.keys(ds.columns);
    for (const r of rows) {
      const keys = Object.keys(r);
      if (keys.length !== cols.length || keys.some((k) => !(k in ds.columns))) {
        throw new Error(`${ds.name}: record columns [${keys}] differ from the declared [${cols}]`);
      }
    }
    for (const [col, values] of Object.entries(ds.corrupt ?? {})) {
      values.forEach((v, k) => {
        rows[Math.floor(((k + 0.5) * rows.length) / values.length)][col] = v;
      });
    }
    all[ds.name] = rows;
  }
  return all;
}
function hash(s) {
  let h = 2166136261;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

function main() {
  const outdir = process.argv[2] ?? 'demo';
  const started = performance.now();
  const all = generate();

  mkdirSync(join(outdir, 'csv'), { recursive: true });
  for (const f of ['demo.db', 'demo.db-wal', 'demo.db-shm', 'demo.db-journal']) rmSync(join(outdir, f), { force: true });
  for (const f of readdirSync(join(outdir, 'csv'))) if (f.endsWith('.csv')) rmSync(join(outdir, 'csv', f));

  const db = new Database(join(outdir, 'demo.db'));
  db.pragma('journal_mode = DELETE');
  let total = 0;
  const summary = [];
  for (const ds of DATASETS) {
    const cols = Object.keys(ds.columns);
    const rows = all[ds.name];
    db.exec(`CREATE TABLE ${ds.name} (${cols.map((c) => `${c} ${ds.columns[c]}`).join(', ')})`);
    const insert = db.prepare(`INSERT INTO ${ds.name} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
    db.transaction(() => {
      for (const r of rows) insert.run(cols.map((c) => r[c]));
    })();

    const eol = ds.csv?.crlf ? '\r\n' : '\n';
    const lines = [cols.join(','), ...rows.map((r) => cols.map((c) => csvField(r[c])).join(','))];
    writeFileSync(join(outdir, 'csv', `${ds.name}.csv`), (ds.csv?.bom ? '\uFEFF' : '') + lines.join(eol) + eol);

    total += rows.length;
    const held = rows.filter((r) => r.legal_hold === 1).length;
    summary.push(`  ${ds.name.padEnd(32)} ${String(rows.length).padStart(6)} records${held ? `, ${held} on hold` : ''}`);
  }
  db.close();
  console.log(
    `wrote ${join(outdir, 'demo.db')} and ${join(outdir, 'csv')}/ (${DATASETS.length} datasets, ${total} records, ${Math.round(performance.now() - started)} ms)`,
  );
  console.log(summary.join('\n'));
}

main();
