// Realistic Dutch values for the demo data: people, companies, addresses, phone numbers, bank
// accounts, device numbers, and free text with the commas, quotes and line breaks that CSV must quote.

import { chance, digits, int, money, pick, weighted } from './random.mjs';

const words = (s) => s.split(' ');
const FIRST = words(
  'Jan Pieter Kees Henk Willem Johan Sander Bas Thijs Daan Lars Sem Ruben Joost Maarten Gerrit Bram Niels Tim Stefan ' +
    'Anna Sanne Lotte Emma Sophie Fleur Iris Marieke Anouk Esther Ingrid Linda Femke Eva Julia Noor Tess Mirjam Annelies Wendy ' +
    'Mohamed Youssef Fatima Ayşe Özlem Chantal Rachid Dewi Priya Luuk',
);
// [tussenvoegsel, surname], written 'tussenvoegsel|surname'
const LAST = (
  'Jansen,de|Vries,van den|Berg,van|Dijk,Bakker,Janssen,Visser,Smit,Meijer,de|Boer,Mulder,de|Groot,Bos,Vos,Peters,Hendriks,' +
  'van|Leeuwen,Dekker,Brouwer,de|Wit,Dijkstra,Smits,de|Graaf,van der|Meer,van der|Linden,Kok,Jacobs,de|Haan,Vermeulen,van den|Heuvel,' +
  "van der|Veen,van den|Broek,de|Bruijn,de|Jong,Hoekstra,Postma,Zijlstra,Bouma,Yılmaz,El|Amrani,Wijaya,'t|Hart,van|'t Hof"
)
  .split(',')
  .map((s) => (s.includes('|') ? s.split('|') : ['', s]));
// [city, lowest postcode, highest postcode]; the area code of its landlines
const CITY_TABLE = (
  'Amsterdam 1011 1109 020,Rotterdam 3011 3089 010,Den Haag 2491 2599 070,Utrecht 3511 3585 030,Eindhoven 5611 5658 040,' +
  'Groningen 9711 9747 050,Leeuwarden 8911 8939 058,Hoogeveen 7901 7909 0528,Zwolle 8011 8043 038,Tilburg 5011 5049 013,' +
  'Breda 4811 4839 076,Nijmegen 6511 6546 024,Arnhem 6811 6846 026,Haarlem 2011 2037 023,Almere 1312 1364 036,' +
  'Enschede 7511 7548 053,Maastricht 6211 6229 043,Leiden 2311 2334 071,Delft 2611 2629 015,Apeldoorn 7311 7339 055,' +
  "Amersfoort 3811 3829 033,'s-Hertogenbosch 5211 5236 073,Assen 9401 9409 0592,Drachten 9200 9205 0512"
)
  .split(',')
  .map((s) => s.match(/^(.+) (\d+) (\d+) (\d+)$/).slice(1));
export const CITIES = CITY_TABLE.map(([city, lo, hi]) => [city, Number(lo), Number(hi)]);
const AREA = Object.fromEntries(CITY_TABLE.map(([city, , , area]) => [city, area]));
const STREETS = (
  'Dorpsstraat,Kerkstraat,Stationsweg,Hoofdstraat,Molenweg,Schoolstraat,Julianastraat,Wilhelminastraat,Beatrixlaan,Industrieweg,' +
  'Nieuwe Binnenweg,Westblaak,Oudegracht,Marktplein,Handelsweg,Zuiderdiep,Burgemeester de Withstraat,Prins Hendrikkade,Energieweg,' +
  'Koningin Julianaplein,Nijverheidsweg,Van Heemstraweg'
).split(',');
const TRADES = words(
  'Bakkerij Installatietechniek Autobedrijf Tandartspraktijk Administratiekantoor Hoveniersbedrijf Fysiotherapie Transport ' +
    'Bouwbedrijf Makelaardij Schildersbedrijf Accountants Dierenkliniek Zorggroep Kapsalon Elektrotechniek Webdesign ' +
    'Loodgietersbedrijf Notariskantoor Huisartsenpraktijk',
);
const MAIL_DOMAINS = words('gmail.com hotmail.com outlook.com ziggo.nl kpnmail.nl xs4all.nl live.nl planet.nl home.nl icloud.com');
const BANKS = words('ABNA RABO INGB SNSB TRIO KNAB BUNQ ASNB');
export const CARRIERS = words('KPN Vodafone T-Mobile Odido Tele2 Lebara Ziggo Simpel');
const WEEKDAYS = words('maandag dinsdag woensdag donderdag vrijdag');

const p2 = (n) => String(n).padStart(2, '0');
/** A name as it can appear in an e-mail address or user name. */
export const slug = (s) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ı/g, 'i')
    .replace(/[^a-z0-9]+/g, '');

export function person() {
  const first = pick(FIRST);
  const [tv, last] = pick(LAST);
  const lastName = tv ? `${tv} ${last}` : last;
  const email = weighted(
    [`${slug(first)}.${slug(tv + last)}@${pick(MAIL_DOMAINS)}`, 5],
    [`${slug(first)[0]}.${slug(tv + last)}@${pick(MAIL_DOMAINS)}`, 3],
    [`${slug(first)}${int(1, 99)}@${pick(MAIL_DOMAINS)}`, 2],
  );
  return { first, last: lastName, name: `${first} ${lastName}`, email, mobile: mobile(), city: pick(CITIES) };
}
export function mobile() {
  const n = `6${digits(8)}`;
  return weighted(
    [`+31 6 ${n.slice(1)}`, 4],
    [`06-${n.slice(1)}`, 3],
    [`+31${n}`, 2],
    [`06 ${n.slice(1, 3)} ${n.slice(3, 5)} ${n.slice(5, 7)} ${n.slice(7)}`, 1],
  );
}
export function landline(city) {
  const area = AREA[city] ?? '088';
  const rest = digits(10 - area.length);
  return chance(0.6) ? `${area}-${rest}` : `+31 ${area.slice(1)} ${rest}`;
}
export const anyNumber = () => (chance(0.55) ? mobile() : landline(pick(CITIES)[0]));
export const e164 = () => `+316${digits(8)}`;
export function serviceNumber() {
  const kind = chance(0.6) ? '0800' : '0900';
  return chance(0.7) ? `${kind}-${digits(4)}` : `${kind}-${digits(7)}`;
}
export function postcode([, lo, hi]) {
  let l;
  do l = String.fromCharCode(65 + int(0, 25)) + String.fromCharCode(65 + int(0, 25));
  while (['SA', 'SD', 'SS'].includes(l));
  return `${int(lo, hi)} ${l}`;
}
const houseNumber = () =>
  weighted([`${int(1, 250)}`, 8], [`${int(1, 120)}${pick(['a', 'b', 'c'])}`, 1], [`${int(1, 80)}-${pick(['I', 'II', 'III', 'hs'])}`, 1]);
export const street = () => `${pick(STREETS)} ${houseNumber()}`;
export const address = (city = pick(CITIES)) => `${street()}, ${postcode(city)} ${city[0]}`;
export function company() {
  const [, last] = pick(LAST);
  return weighted(
    [`${pick(TRADES)} ${last} B.V.`, 4],
    [`${last} ${pick(TRADES)}`, 3],
    [`${pick(TRADES)} ${last} & Zn.`, 1],
    [`${pick(LAST)[1]}, ${last} & Partners`, 1], // a comma: quoted in CSV
    [`"De ${pick(['Zonnebloem', 'Vaart', 'Linde', 'Molen', 'Haven'])}" ${pick(TRADES)}`, 1], // quotes in CSV
  );
}
/** A domain of a company's own, for its staff's e-mail. */
export const domainOf = (companyName) => `${slug(companyName).slice(0, 18)}.nl`;
export const kvk = () => `${int(1, 9)}${digits(7)}`;
export const vatNumber = () => `NL${digits(9)}B${p2(int(1, 99))}`;
export function iban() {
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
export const imei = () => luhn(`35${digits(12)}`);
export const iccid = () => luhn(`893120${digits(12)}`);
export const imsi = () => `${pick(['20408', '20416', '20404', '20420'])}${digits(10)}`;
const OCTET1 = [31, 37, 45, 62, 77, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 91, 92, 93, 94, 95, 145, 176, 178, 185, 188, 212, 213, 217];
const hex = (n) => n.toString(16);
export function ip() {
  if (chance(0.12)) return `2a02:${pick(['a44', 'a46', '58', '1810'])}:${hex(int(0, 65535))}:${hex(int(0, 65535))}::${hex(int(1, 65535))}`;
  return `${pick(OCTET1)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
}
export const mac = () => Array.from({ length: 6 }, () => p2(hex(int(0, 255)))).join(':');
export const SIP_AGENTS = [
  'Yealink SIP-T46S 66.86.0.15',
  'Yealink SIP-T54W 96.86.0.70',
  'snom D785/10.1.54.13',
  'Grandstream GXP2170 1.0.11.3',
  'Gigaset N670 IP PRO/2.48.1',
  'Zoiper rv2.10.19.5',
  'Linphone/5.2.4 (belle-sip/5.2.0)',
];
export const WEB_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Mobile Safari/537.36',
];

// Free text as people type it: commas, quotes and line breaks that a CSV must quote.
export function ticketText(p) {
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
export function chatText(p) {
  const greet = pick(['Hoi', 'Goedemiddag', 'Hallo', 'Goedemorgen']);
  return pick([
    () =>
      `Bezoeker: ${greet}, ik heb een vraag over mijn factuur.\nMedewerker: ${greet} ${p.first}, waarmee kan ik helpen?\nBezoeker: Er staat een bedrag op van €${money(20, 400)}, klopt dat?`,
    () => `Bezoeker: Kan ik mijn 085-nummer "meenemen" naar jullie?\nMedewerker: Ja, dat heet nummerbehoud, ik stuur je de info per mail.`,
    () => `Bezoeker: De wachtrij werkt niet meer, bellers horen "in gesprek".\nMedewerker: Ik kijk even mee, één moment.`,
    () => `Bezoeker: Wat kost een extra gebruiker?\nMedewerker: €${money(4, 15)} per maand, excl. btw.`,
  ])();
}
export function contactText() {
  return pick([
    () => `Graag een offerte voor ${int(2, 40)} toestellen, inclusief "Onbeperkt bellen".`,
    () => `Wij willen overstappen van ${pick(CARRIERS)}, wat zijn de mogelijkheden?`,
    () => `Kunnen jullie bellen? Ik ben bereikbaar na 14:00, op ${mobile()}.`,
    () => `Vraag over glasvezel op ons adres: is dat beschikbaar, en zo ja, per wanneer?\nAlvast bedankt.`,
    () => `Afspraak maken voor een demo van de app; dinsdag of donderdag past het best.`,
  ])();
}
