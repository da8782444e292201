// Locale-aware formatting with Intl: numbers, distances, money, dates and "how long ago".

export interface Formatters {
  number(n: number): string;
  km(n: number): string;
  kw(n: number): string;
  money(amount: number, currency: string): string;
  /** YYYY-MM-DD or an RFC 3339 time, as a date. */
  date(s: string): string;
  /** YYYY-MM as month and year. */
  month(s: string): string;
  dateTime(s: string): string;
  time(s: string): string;
  /** How long before now, e.g. "5 minutes ago". */
  relative(s: string, now?: number): string;
}

function parseDay(s: string): Date {
  // A bare date or month is a calendar day, not an instant: read it in UTC and print it in UTC so
  // no time zone moves it to the day before.
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(s);
  if (m) return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3] ?? '1')));
  return new Date(s);
}

export function formatters(tag: string): Formatters {
  const num = new Intl.NumberFormat(tag);
  const km = new Intl.NumberFormat(tag, { style: 'unit', unit: 'kilometer', maximumFractionDigits: 0 });
  const day = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeZone: 'UTC' });
  const month = new Intl.DateTimeFormat(tag, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  const dateTime = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' });
  const time = new Intl.DateTimeFormat(tag, { timeStyle: 'short' });
  const rel = new Intl.RelativeTimeFormat(tag, { numeric: 'auto' });
  const safe = (f: (s: string) => string) => (s: string) => {
    const out = f(s);
    return out === 'Invalid Date' ? s : out;
  };
  const tryFormat = (d: Date, fmt: Intl.DateTimeFormat, raw: string) =>
    Number.isNaN(d.getTime()) ? raw : fmt.format(d);
  return {
    number: (n) => num.format(n),
    km: (n) => km.format(n),
    // Intl has no kilowatt unit; the symbol is the same in every language.
    kw: (n) => `${num.format(n)} kW`,
    money: (amount, currency) => new Intl.NumberFormat(tag, { style: 'currency', currency }).format(amount),
    date: safe((s) => tryFormat(parseDay(s), day, s)),
    month: safe((s) => tryFormat(parseDay(s), month, s)),
    dateTime: safe((s) => tryFormat(new Date(s), dateTime, s)),
    time: safe((s) => tryFormat(new Date(s), time, s)),
    relative: (s, now = Date.now()) => {
      const t = new Date(s).getTime();
      if (Number.isNaN(t)) return s;
      const secs = Math.round((t - now) / 1000);
      const abs = Math.abs(secs);
      if (abs < 45) return rel.format(0, 'second');
      if (abs < 45 * 60) return rel.format(Math.round(secs / 60), 'minute');
      if (abs < 22 * 3600) return rel.format(Math.round(secs / 3600), 'hour');
      return rel.format(Math.round(secs / 86400), 'day');
    },
  };
}
