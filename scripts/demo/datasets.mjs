// What the records of each dataset mean: one generator per dataset of the shipped policies.
//
// rows() returns the records as objects, column -> value, in table order. The policy supplies
// the rest (scripts/demo-data.mjs): the key column it declares is numbered 1..n in front,
// `held` becomes its hold column, and a timestamp is a stamp(ms, style), written as the dataset
// declares timestamps. Every column a policy names must be here; the others are the realistic
// extras a source has. `corrupt` puts unreadable values into a few records; `csv` sets line
// endings and a byte-order mark of the CSV file.

import {
  address,
  anyNumber,
  CARRIERS,
  CITIES,
  chatText,
  company,
  contactText,
  domainOf,
  e164,
  iban,
  iccid,
  imei,
  imsi,
  ip,
  kvk,
  landline,
  mac,
  mobile,
  person,
  postcode,
  SIP_AGENTS,
  serviceNumber,
  slug,
  street,
  ticketText,
  vatNumber,
  WEB_AGENTS,
} from './dutch.mjs';
import { between, chance, digits, expo, int, money, pick, times, weighted } from './random.mjs';
import { at, CUTOVER_2020, CUTOVER_2022, DAY, HOUR, isoDate, monthStart, plusDays, stamp, T0, T1, YEAR, year } from './time.mjs';

/** An organisation's customers: when the service started, and ended (null: ongoing). */
function customers(n, { ended = 0.45, holdShare = 0.012 } = {}) {
  return times(n, (i) => {
    const start = between(T0 - 2 * YEAR, T1 - 90 * DAY);
    let end = null;
    if (chance(ended)) {
      end = at(Math.max(start + 120 * DAY, T0 + 60 * DAY), T1 + 2 * YEAR, 0.9);
      if (end >= T1 - DAY) end = null; // has not ended yet
    }
    const contact = person();
    return { id: i + 1, start, end, hold: chance(holdShare), company: company(), contact, city: contact.city };
  });
}
/** The span in which a customer's records fall: from start (or T0) to end (or T1). */
const activeFrom = (c) => Math.max(c.start, T0);
const activeTo = (c) => c.end ?? T1;
const during = (c, office) => at(activeFrom(c), activeTo(c), office);
/** An end that lies before T1, or null (not yet). */
const before1 = (ms) => (ms !== null && ms < T1 ? ms : null);
const hold = (p = 0.004) => chance(p);
const customerHold = (c, p = 0.004) => c.hold || chance(p);
/** A long-tailed whole number with the given mean: durations, sizes. */
const longTail = (mean) => Math.round(expo(mean));
/** SQLite datetimes in the older exports, ISO with offset after the 2020 migration. */
const bySystem = (ms) => stamp(ms, ms < CUTOVER_2020 ? 'sqlite' : 'offset');

/** The generators, keyed by dataset name. Shared customers are drawn first, from the stream the caller has seeded. */
export function demoDatasets() {
  const BC = customers(500);
  const BELCO = customers(700, { ended: 0.4 });
  const IPC = customers(350, { ended: 0.35 }).map((c) => ({ ...c, recordingDays: pick([30, 90, 90, 180, 365, 730, null]) }));
  const VOIPS = customers(400, { ended: 0.4 });
  const BF_NUMBERS = times(150, (i) => ({
    id: i + 1,
    number: serviceNumber(),
    owner: person(),
    company: company(),
    retentionDays: pick([7, 14, 30, 30, 60, 90, 90, 180, 365, null]),
  }));
  for (const c of BC) c.services = pick(['bellen', 'bellen', 'bellen,internet', 'bellen,internet', 'internet']);
  // Things several datasets point at, so that their dates and ends agree.
  const BELCO_USERS = BELCO.flatMap((c) => times(weighted([1, 6], [2, 3], [3, 1]), (k) => ({ c, p: k === 0 ? c.contact : person() })));
  for (const [i, u] of BELCO_USERS.entries()) {
    u.id = i + 1;
    u.created = at(activeFrom(u.c), Math.min(activeFrom(u.c) + 200 * DAY, activeTo(u.c)));
  }
  const IPC_VOIP = times(1500, (i) => {
    const c = pick(IPC);
    const created = during(c);
    let end = c.end;
    if (!end && chance(0.15)) end = at(created + 30 * DAY, T1 + YEAR);
    if (end && end >= T1) end = null;
    return { id: i + 1, c, p: person(), created, end, sip: `ipc${digits(6)}`, agent: pick(SIP_AGENTS) };
  });
  const IPC_MOBILE = times(1200, (i) => {
    const c = pick(IPC);
    const act = during(c);
    let end = c.end;
    if (!end && chance(0.12)) end = at(act + 60 * DAY, T1 + YEAR);
    if (end && end >= T1) end = null;
    return { id: i + 1, c, act, end, msisdn: e164(), hold: customerHold(c) };
  });
  const VOIPS_INVOICES = times(2500, (i) => {
    const c = pick(VOIPS);
    const date = Math.max(monthStart(between(activeFrom(c), activeTo(c))), T0);
    const amount = money(20, 1500);
    const paid = chance(0.95) ? before1(date + int(2, 35) * DAY + int(8, 17) * HOUR) : null;
    return { id: i + 1, c, date, amount, vat: Math.round(amount * 21) / 100, paid, hold: customerHold(c) };
  });
  const BC_CALLING = BC.filter((c) => c.services.includes('bellen'));
  const BC_INTERNET = BC.filter((c) => c.services.includes('internet'));
  const IPC_RECORDING = IPC.filter((c) => c.id % 3 === 0); // a third of the clients records calls
  const BF_RECORDING = BF_NUMBERS.filter((n) => n.id % 2 === 0); // half of the numbers use call-recording
  const staffEmail = (p, c) => `${slug(p.first)}.${slug(p.last)}@${domainOf(c.company)}`;

  return {
    // ----- Belcentrale ------------------------------------------------------------------------
    belcentrale_customers: {
      rows: () =>
        BC.map((c) => ({
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
          signed_up_at: bySystem(c.start),
          service_ended_at: bySystem(c.end),
          held: c.hold,
        })),
    },
    belcentrale_contact_messages: {
      rows: () =>
        times(1200, (i) => {
          const c = chance(0.6) ? pick(BC) : null;
          const p = c ? c.contact : person();
          const sent = c ? during(c) : at(T0, T1);
          const minor = i % 199 === 17 ? at(sent + DAY, Math.min(sent + 40 * DAY, T1)) : null;
          return {
            customer_id: c?.id ?? null,
            name: p.name,
            email: p.email,
            phone: chance(0.7) ? p.mobile : null,
            kind: pick(['vraag', 'vraag', 'afspraak']),
            message: contactText(),
            submitted_at: stamp(sent, 'local'),
            service_ended_at: stamp(c?.end, 'local'),
            minor_reported_at: stamp(minor, 'local'),
            held: c ? customerHold(c) : hold(),
          };
        }),
    },
    belcentrale_cdr: {
      csv: { crlf: true }, // exported from the legacy switch on Windows
      corrupt: { service_ended_at: ['31-02-2021 10:15:00', 'unknown', '2021-05-04T10:00:00', '00-00-0000 00:00:00'] },
      rows: () =>
        times(7000, () => {
          const c = pick(BC_CALLING);
          const t = during(c);
          const out = chance(0.6);
          const own = landline(c.city[0]);
          return {
            customer_id: c.id,
            caller: out ? own : anyNumber(),
            callee: out ? anyNumber() : own,
            direction: out ? 'uit' : 'in',
            started_at: stamp(t),
            duration_s: longTail(170),
            carrier: pick(CARRIERS),
            service_ended_at: stamp(c.end),
            held: customerHold(c),
          };
        }),
    },
    belcentrale_internet_sessions: {
      rows: () =>
        times(3500, () => {
          const c = pick(BC_INTERNET);
          const t = during(c, 0.5);
          return {
            customer_id: c.id,
            ip_address: ip(),
            mac_address: mac(),
            imei: chance(0.3) ? imei() : null,
            started_at: stamp(t, 'zms'),
            duration_s: longTail(5400),
            data_mb: Math.round(expo(800) * 10) / 10,
            service_ended_at: stamp(c.end, 'z'),
            held: customerHold(c),
          };
        }),
    },
    belcentrale_invoices: {
      csv: { bom: true }, // saved from Excel
      corrupt: { invoice_date: ['31-02-2021', '2019-02-30'] },
      rows: () =>
        times(4000, (i) => {
          const c = pick(BC);
          const d = monthStart(between(activeFrom(c), activeTo(c)));
          const paid = chance(0.96) ? d + int(3, 40) * DAY + int(8, 17) * HOUR : null;
          return {
            customer_id: c.id,
            invoice_number: `BC-${year(d)}-${String(i + 1).padStart(5, '0')}`,
            company_name: c.company,
            amount_eur: money(25, 900),
            invoice_date: stamp(Math.max(d, T0), 'date'),
            paid_at: stamp(before1(paid), 'date'),
            service_ended_at: stamp(c.end, 'date'),
            held: customerHold(c),
          };
        }),
    },
    belcentrale_support_tickets: {
      rows: () =>
        times(1200, () => {
          const c = pick(BC);
          const t = during(c);
          const closed = chance(0.95) ? t + longTail(3 * DAY) : null;
          return {
            customer_id: c.id,
            subject: pick(['Storing', 'Klacht', 'Factuurvraag', 'Wijziging', 'Nummerbehoud']),
            description: ticketText(c.contact),
            reported_at: stamp(t, 'sqlite'),
            closed_at: stamp(before1(closed), 'sqlite'),
            service_ended_at: stamp(c.end, 'sqlite'),
            held: customerHold(c),
          };
        }),
    },

    // ----- Belco ------------------------------------------------------------------------------
    belco_orders: {
      corrupt: { completed_at: ['31-02-2021', 'unknown', '2019-02-30 12:00:00'] },
      rows: () =>
        times(3500, (i) => {
          const p = person();
          const t = at(T0, T1);
          const open = T1 - t < 21 * DAY ? chance(0.7) : chance(0.01);
          const done = open ? null : Math.min(t + int(1, 14) * DAY + int(0, 8) * HOUR, T1);
          const status = open ? pick(['in behandeling', 'verzonden']) : chance(0.06) ? 'geannuleerd' : 'afgerond';
          const style = t < CUTOVER_2020 ? 'sqlite' : 'offset';
          const billing = address(p.city);
          const pay = pick(['iDEAL', 'iDEAL', 'creditcard', 'op rekening']);
          return {
            order_number: `BEL-${year(t)}${String(i + 1).padStart(6, '0')}`,
            customer_name: p.name,
            email: p.email,
            phone: p.mobile,
            ip_address: ip(),
            delivery_address: chance(0.8) ? billing : address(),
            billing_address: billing,
            payment_method: pay,
            iban: pay === 'creditcard' ? null : iban(),
            total_eur: money(15, 2500),
            status,
            ordered_at: stamp(t, style),
            completed_at: stamp(done, style),
            held: hold(0.006),
          };
        }),
    },
    belco_dashboard_users: {
      rows: () =>
        BELCO_USERS.map((u) => ({
          customer_id: u.c.id,
          name: u.p.name,
          email: u.p.email,
          phone: u.p.mobile,
          billing_address: address(u.c.city),
          ip_address: ip(),
          profile_photo_url: chance(0.4) ? `https://cdn.belco.io/avatars/${u.id}-${digits(6)}.jpg` : null,
          created_at: stamp(u.created),
          service_ended_at: stamp(u.c.end),
          held: customerHold(u.c),
        })),
    },
    belco_dashboard_activity: {
      rows: () =>
        times(4000, () => {
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
          const details = {
            'doorschakeling ingesteld': () => `naar ${mobile()}, na ${int(10, 30)} sec`,
            'openingstijden gewijzigd': () => `ma-vr 08:30-17:30, za ${pick(['gesloten', '10:00-14:00'])}`,
          }[action];
          return {
            user_id: u.id,
            customer_id: c.id,
            action,
            details: details ? details() : null,
            ip_address: ip(),
            performed_at: stamp(at(u.created, activeTo(c)), 'z'),
            service_ended_at: stamp(c.end, 'z'),
            held: customerHold(c),
          };
        }),
    },
    belco_contact_form: {
      rows: () =>
        times(1200, () => {
          const p = person();
          const t = at(T0, T1);
          const resolved = chance(0.95) ? t + longTail(2 * DAY) : null;
          return {
            name: p.name,
            email: p.email,
            phone: chance(0.6) ? p.mobile : null,
            ip_address: ip(),
            subject: pick(['Offerte', 'Vraag', 'Aanvraag demo', 'Nummerbehoud', 'Overig']),
            message: contactText(),
            submitted_at: stamp(t),
            resolved_at: stamp(before1(resolved)),
            held: hold(),
          };
        }),
    },
    belco_newsletter_subscribers: {
      rows: () =>
        times(2500, () => {
          const p = person();
          const t = at(T0, T1, 0.5);
          const unsubscribed = chance(0.3) ? between(t + DAY, T1) : null;
          return {
            email: p.email,
            first_name: chance(0.7) ? p.first : null,
            source: pick(['website', 'account', 'bestelling', 'beurs']),
            subscribed_at: stamp(t, 'date'),
            unsubscribed_at: stamp(unsubscribed, chance(0.5) ? 'z' : 'sqlite'),
          };
        }),
    },
    belco_accounts: {
      rows: () =>
        times(1400, () => {
          const p = person();
          const t = at(T0, T1);
          const closed = chance(0.22) ? at(t + 30 * DAY, T1 + YEAR) : null;
          return {
            username: `${slug(p.first)}${slug(p.last).slice(0, 6)}${int(1, 999)}`,
            name: p.name,
            email: p.email,
            phone: p.mobile,
            billing_address: address(p.city),
            ip_address: ip(),
            created_at: stamp(t, 'sqlite'),
            closed_at: stamp(before1(closed), 'sqlite'),
            held: hold(),
          };
        }),
    },
    belco_chat_conversations: {
      corrupt: { last_contact_at: ['unknown', '2022-13-01T10:00:00Z'] },
      rows: () =>
        times(2500, () => {
          const c = chance(0.55) ? pick(BELCO) : null;
          const p = c ? c.contact : person();
          const t = c ? during(c) : at(T0, T1);
          const last = Math.min(t + (chance(0.6) ? int(0, 3) * HOUR : longTail(20 * DAY)), T1);
          return {
            contact_type: c ? 'customer' : 'visitor',
            customer_id: c?.id ?? null,
            name: chance(c ? 1 : 0.5) ? p.name : null,
            email: chance(0.8) ? p.email : null,
            phone: chance(0.3) ? p.mobile : null,
            ip_address: ip(),
            channel: pick(['chat', 'chat', 'chat', 'telefoon', 'email']),
            transcript: chatText(p),
            started_at: stamp(t, 'zms'),
            last_contact_at: stamp(last, 'zms'),
            service_ended_at: stamp(c?.end, 'zms'),
            held: c ? customerHold(c) : hold(),
          };
        }),
    },

    // ----- Belfabriek -------------------------------------------------------------------------
    belfabriek_voicemail: {
      rows: () =>
        times(1500, () => {
          const n = pick(BF_NUMBERS);
          const t = chance(0.5) ? at(T1 - 30 * DAY, T1, 0.7) : at(T0, T1, 0.7);
          const failed = chance(T1 - t < 3 * DAY ? 0.3 : 0.01); // bounced or still queued
          return {
            service_number: n.number,
            caller_number: chance(0.85) ? anyNumber() : null,
            owner_email: n.owner.email,
            received_at: stamp(t, 'sqlite'),
            emailed_at: failed ? null : stamp(Math.min(t + int(4, 90) * 1000, T1), 'sqlite'),
            duration_s: longTail(35) + 2,
            audio_file: `vm/${n.number.replace('-', '')}/${digits(12)}.wav`,
            held: hold(),
          };
        }),
    },
    belfabriek_call_recordings: {
      corrupt: { retention_days: ['90 dagen', 'onbeperkt', '-30'] },
      rows: () =>
        times(2500, () => {
          const n = pick(BF_RECORDING);
          const t = chance(0.4) ? at(T1 - 400 * DAY, T1) : at(T0, T1);
          const days = chance(0.1) ? pick([30, 90, 365]) : n.retentionDays; // the owner changed the setting
          return {
            service_number: n.number,
            caller_number: chance(0.9) ? anyNumber() : null,
            delivered_to: landline(n.owner.city[0]),
            recorded_at: stamp(t),
            duration_s: longTail(240),
            audio_file: `cr/${n.number.replace('-', '')}/${digits(12)}.mp3`,
            retention_days: days,
            held: hold(0.008),
          };
        }),
    },

    // ----- IP Central -------------------------------------------------------------------------
    ipcentral_contacts: {
      rows: () =>
        IPC.flatMap((c) =>
          times(int(1, 4), (k) => {
            const p = k === 0 ? c.contact : person();
            return {
              customer_id: c.id,
              name: p.name,
              role: pick(['beheerder', 'financieel', 'technisch', 'directie']),
              phone: chance(0.5) ? p.mobile : landline(c.city[0]),
              email: staffEmail(p, c),
              created_at: stamp(c.start),
              service_ended_at: stamp(c.end),
              held: customerHold(c),
            };
          }),
        ),
    },
    ipcentral_sites: {
      rows: () =>
        IPC.flatMap((c) =>
          times(weighted([1, 6], [2, 3], [4, 1]), (k) => {
            const city = k === 0 ? c.city : pick(CITIES);
            return {
              customer_id: c.id,
              street: street(),
              postcode: postcode(city),
              city: city[0],
              installed_at: stamp(c.start + int(5, 40) * DAY),
              service_ended_at: stamp(c.end),
              held: customerHold(c),
            };
          }),
        ),
    },
    ipcentral_billing_accounts: {
      rows: () =>
        IPC.map((c) => ({
          company_name: c.company,
          kvk_number: kvk(),
          vat_number: vatNumber(),
          billing_email: `facturen@${domainOf(c.company)}`,
          created_at: stamp(c.start),
          service_ended_at: stamp(c.end),
          held: c.hold,
        })),
    },
    ipcentral_cdr: {
      corrupt: { started_at: ['unknown', '2021-02-29 08:12:00', '0000-00-00 00:00:00'] },
      rows: () =>
        times(6000, () => {
          const c = pick(IPC);
          const service = chance(0.6) ? 'voip' : 'mobile';
          const t = during(c);
          const out = chance(0.55);
          const own = service === 'voip' ? landline(c.city[0]) : e164();
          return {
            customer_id: c.id,
            service,
            caller: out ? own : anyNumber(),
            callee: out ? anyNumber() : own,
            direction: out ? 'out' : 'in',
            started_at: bySystem(t),
            duration_s: longTail(150),
            cell_id: service === 'mobile' ? `204-08-${int(1000, 9999)}-${int(10000, 99999)}` : null,
            held: customerHold(c),
          };
        }),
    },
    ipcentral_internet_sessions: {
      rows: () =>
        times(2500, () => {
          const c = pick(IPC);
          const t = during(c, 0.3);
          const ended = t + longTail(2 * DAY);
          return {
            customer_id: c.id,
            service_id: `SID-${digits(7)}`,
            line_id: `KPN-${digits(10)}`,
            public_ip: ip(),
            started_at: stamp(t, 'z'),
            ended_at: stamp(before1(ended), 'z'),
            bytes_in: longTail(4e9),
            bytes_out: longTail(6e8),
            held: customerHold(c),
          };
        }),
    },
    ipcentral_mail_log: {
      rows: () =>
        times(3000, () => {
          const c = pick(IPC);
          const t = during(c, 0.7);
          return {
            customer_id: c.id,
            message_id: `<${digits(12)}.${digits(6)}@mx${int(1, 3)}.ip-central.nl>`,
            sender: `${slug(person().first)}@${domainOf(c.company)}`,
            recipient: person().email,
            client_ip: ip(),
            sent_at: stamp(t, 'z'),
            size_bytes: longTail(80_000),
            status: weighted(['sent', 95], ['deferred', 3], ['bounced', 2]),
            held: customerHold(c),
          };
        }),
    },
    ipcentral_support_tickets: {
      corrupt: { closed_at: ['n.v.t.', 'unknown'] },
      rows: () =>
        times(1200, () => {
          const c = pick(IPC);
          const p = chance(0.5) ? c.contact : person();
          const t = during(c);
          const closed = chance(0.96) ? t + longTail(4 * DAY) : null;
          return {
            customer_id: c.id,
            contact_name: p.name,
            email: p.email,
            phone: p.mobile,
            subject: pick(['Storing VoIP', 'Storing internet', 'Nummerporting', 'Simkaart', 'Factuur', 'Wijziging keuzemenu']),
            description: ticketText(p),
            created_at: stamp(t),
            closed_at: stamp(before1(closed)),
            held: customerHold(c),
          };
        }),
    },
    ipcentral_support_recordings: {
      rows: () =>
        times(1200, () => {
          // a support line records calls; most recordings are recent because of the 90 days
          const t = chance(0.5) ? at(T1 - 200 * DAY, T1) : at(T0, T1);
          return {
            caller_number: anyNumber(),
            agent: pick(['roelof', 'marieke', 'sander', 'fatima', 'joost', 'iris']),
            recorded_at: stamp(t),
            duration_s: longTail(300),
            audio_file: `rec/support/${isoDate(t)}/${digits(10)}.wav`,
            held: hold(0.01),
          };
        }),
    },
    ipcentral_internet_connections: {
      rows: () =>
        times(600, (i) => {
          const c = IPC[i % IPC.length];
          return {
            customer_id: c.id,
            service_id: `SID-${digits(7)}`,
            line_id: `${pick(['KPN', 'EUR', 'GLD'])}-${digits(10)}`,
            public_ip: ip(),
            activated_at: stamp(c.start + int(10, 60) * DAY),
            service_ended_at: stamp(c.end),
            held: customerHold(c),
          };
        }),
    },
    ipcentral_voip_accounts: {
      rows: () =>
        IPC_VOIP.map((a) => ({
          customer_id: a.c.id,
          name: a.p.name,
          phone_number: landline(a.c.city[0]),
          email: staffEmail(a.p, a.c),
          extension: String(int(200, 299)),
          created_at: stamp(a.created),
          decommissioned_at: stamp(a.end),
          held: customerHold(a.c),
        })),
    },
    ipcentral_voip_registrations: {
      rows: () =>
        times(2500, () => {
          // phones re-register every few minutes; the log keeps a sample: most rows are recent
          const a = pick(IPC_VOIP);
          const to = a.end ?? T1;
          const t = chance(0.4) ? at(Math.max(a.created, to - 150 * DAY), to, 0.6) : at(a.created, to, 0.6);
          return {
            voip_account_id: a.id,
            sip_username: a.sip,
            ip_address: ip(),
            user_agent: a.agent,
            registered_at: stamp(t, 'sqlite'),
            held: hold(),
          };
        }),
    },
    ipcentral_mobile_subscriptions: {
      rows: () =>
        IPC_MOBILE.map((m) => ({
          customer_id: m.c.id,
          msisdn: m.msisdn,
          iccid: iccid(),
          imei: imei(),
          activated_at: stamp(m.act),
          service_ended_at: stamp(m.end),
          held: m.hold,
        })),
    },
    ipcentral_mobile_notifications: {
      rows: () =>
        times(2000, () => {
          const s = pick(IPC_MOBILE);
          const type = chance(0.5) ? 'grensovergang' : 'bundel';
          const country = () => pick(['België', 'Duitsland', 'Frankrijk', 'Spanje', 'Turkije', 'het VK']);
          const cost = () => pick(['kost hetzelfde als thuis', 'kost €0,25 per MB, bellen €0,49/min']);
          return {
            subscription_id: s.id,
            msisdn: s.msisdn,
            type,
            message:
              type === 'grensovergang'
                ? `Welkom in ${country()}. Bellen, sms'en en internetten ${cost()}.`
                : `Je hebt ${pick(['80%', '100%'])} van je bundel van ${pick(['5 GB', '10 GB', '20 GB'])} verbruikt.`,
            sent_at: stamp(at(s.act, s.end ?? T1, 0.4)),
            service_ended_at: stamp(s.end),
            held: s.hold,
          };
        }),
    },
    ipcentral_call_recordings: {
      corrupt: { retention_days: ['90 dagen', 'onbeperkt'] },
      rows: () =>
        times(1500, () => {
          const c = pick(IPC_RECORDING);
          const t = during(c);
          return {
            customer_id: c.id,
            service: chance(0.7) ? 'voip' : 'mobile',
            caller: anyNumber(),
            callee: anyNumber(),
            recorded_at: stamp(t),
            duration_s: longTail(200),
            audio_file: `rec/${c.id}/${isoDate(t)}/${digits(8)}.mp3`,
            retention_days: c.recordingDays,
            held: customerHold(c, 0.01),
          };
        }),
    },
    ipcentral_web_visits: {
      rows: () =>
        times(4000, () => ({
          visitor_id: `GA1.2.${digits(9)}.${digits(10)}`,
          ip_address: ip(),
          page: pick(['/', '/internet', '/telefonie', '/mobiel', '/cloud', '/contact', '/support', '/privacyverklaring', '/vacatures']),
          referrer: pick([null, 'https://www.google.nl/', 'https://www.bing.com/', 'https://www.linkedin.com/', 'https://duckduckgo.com/']),
          user_agent: pick(WEB_AGENTS),
          visited_at: stamp(at(T0, T1, 0.6)),
        })),
    },
    ipcentral_contact_form: {
      rows: () =>
        times(700, () => {
          const p = person();
          return {
            company: chance(0.8) ? company() : null,
            name: p.name,
            email: p.email,
            phone: chance(0.7) ? p.mobile : null,
            message: contactText(),
            submitted_at: stamp(at(T0, T1)),
            held: hold(),
          };
        }),
    },

    // ----- Voips ------------------------------------------------------------------------------
    voips_invoices: {
      csv: { crlf: true },
      rows: () =>
        VOIPS_INVOICES.map((v) => ({
          customer_id: v.c.id,
          invoice_number: `V${year(v.date)}-${String(v.id).padStart(5, '0')}`,
          customer_name: v.c.company,
          email: v.c.contact.email,
          amount_eur: v.amount,
          vat_eur: v.vat,
          invoice_date: stamp(v.date, 'date'),
          due_date: stamp(plusDays(v.date, 14), 'date'),
          paid_at: stamp(v.paid, 'sqlite'),
          held: v.hold,
        })),
    },
    voips_payments: {
      corrupt: { paid_at: ['unknown', '2021-03-04'] },
      rows: () =>
        VOIPS_INVOICES.filter((v) => v.paid !== null).map((v) => ({
          invoice_id: v.id,
          iban: iban(),
          account_holder: v.c.company,
          amount_eur: Math.round((v.amount + v.vat) * 100) / 100,
          method: pick(['incasso', 'incasso', 'overboeking', 'iDEAL']),
          paid_at: stamp(v.paid),
          held: v.hold,
        })),
    },
    voips_cdr: {
      corrupt: { retention_days: ['zes maanden'] },
      rows: () =>
        times(4000, () => {
          const c = pick(VOIPS);
          const solution = weighted(['hosted-voip', 5], ['sip-trunk', 3], ['mobiel', 2], ['fax2mail', 0.5]);
          const t = during(c);
          const mob = solution === 'mobiel';
          return {
            customer_id: c.id,
            solution,
            caller: mob ? e164() : landline(c.city[0]),
            callee: anyNumber(),
            started_at: stamp(t, t < CUTOVER_2022 ? 'local' : 'offset'),
            duration_s: longTail(160),
            imsi: mob ? imsi() : null,
            imei: mob ? imei() : null,
            retention_days: { 'hosted-voip': 180, 'sip-trunk': 90, mobiel: 365, fax2mail: null }[solution], // the solution's setting
            held: customerHold(c),
          };
        }),
    },
  };
}
