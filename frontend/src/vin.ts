// The VIN rules of internal/vehicle/vin.go, so the field can say what is wrong as the person types,
// with the rule names the API reports (error.rule) and, in English, the API's own words.

export type VinRule = 'length' | 'alphabet' | 'check-digit' | 'model-year';

export interface VinProblem {
  rule: VinRule;
  /** 1-based position of the offending character (alphabet). */
  position?: number;
}

const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
const MODEL_YEAR_CODES = 'ABCDEFGHJKLMNPRSTVWXY123456789';
/** The OEM's World Manufacturer Identifiers: the check digit applies to these wherever built. */
export const OEM_WMIS = ['WVW', 'WV2', 'WAU', 'WP0', 'TMB', 'VSS', '1VW', '3VW'];

function charValue(c: string): number {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  if (c >= 'A' && c <= 'H') return c.charCodeAt(0) - 65 + 1;
  if (c >= 'J' && c <= 'N') return c.charCodeAt(0) - 74 + 1;
  if (c === 'P') return 7;
  if (c === 'R') return 9;
  if (c >= 'S' && c <= 'Z') return c.charCodeAt(0) - 83 + 2;
  return -1;
}

/** checkDigit computes position 9 from the other sixteen characters (49 CFR 565.15). */
export function checkDigit(vin: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += charValue(vin[i] ?? '') * (WEIGHTS[i] ?? 0);
  const r = sum % 11;
  return r === 10 ? 'X' : String(r);
}

/** normalizeVin is what the API does with the input: upper case, nothing else repaired. */
export function normalizeVin(s: string): string {
  return s.trim().toUpperCase();
}

/** alphabetProblem finds the first character a VIN may not hold, for feedback while typing. */
export function alphabetProblem(s: string): VinProblem | null {
  const u = s.toUpperCase();
  for (let i = 0; i < u.length; i++) {
    if (charValue(u[i] ?? '') < 0) return { rule: 'alphabet', position: i + 1 };
  }
  return null;
}

/** validateVin applies the rules in the domain's order; null means valid. */
export function validateVin(s: string): VinProblem | null {
  if (s.length !== 17) return { rule: 'length' };
  const bad = alphabetProblem(s);
  if (bad) return bad;
  const u = s.toUpperCase();
  const northAmerica = u[0]! >= '1' && u[0]! <= '5';
  if ((northAmerica || OEM_WMIS.includes(u.slice(0, 3))) && checkDigit(u) !== u[8]) return { rule: 'check-digit' };
  if (!MODEL_YEAR_CODES.includes(u[9]!)) return { rule: 'model-year' };
  return null;
}

/**
 * randomVin mints a valid VIN of one of the OEM's makes that no demo uses, for the chaos panel:
 * the simulators give any such VIN a consistent history, and a car not asked about yet is not in
 * the cache, so switched-on faults show in its report.
 */
export function randomVin(rand: () => number = Math.random): string {
  let serial = '';
  for (let i = 0; i < 6; i++) serial += String(Math.floor(rand() * 10));
  if (serial.startsWith('99')) serial = '1' + serial.slice(1); // never assigned
  const draft = `WVWZZZCD0NW${serial}`;
  return draft.slice(0, 8) + checkDigit(draft) + draft.slice(9);
}
