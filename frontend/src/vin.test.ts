import { describe, expect, it } from 'vitest';
import { checkDigit, randomVin, validateVin } from './vin';
import { DEMO_CARS } from './demo';

describe('VIN rules (internal/vehicle/vin.go)', () => {
  it('accepts the demo VINs, in either case', () => {
    for (const d of DEMO_CARS) {
      expect(validateVin(d.vin)).toBeNull();
      expect(validateVin(d.vin.toLowerCase())).toBeNull();
    }
  });

  it('names the rule broken, in the domain order', () => {
    expect(validateVin('WVWZZZCD3MW10000')).toEqual({ rule: 'length' });
    expect(validateVin('WVWZZZCD3MW1000011')).toEqual({ rule: 'length' });
    expect(validateVin('WVWZZZCD3MW1O0001')).toEqual({ rule: 'alphabet', position: 13 });
    expect(validateVin('IVWZZZCD3MW100001')).toEqual({ rule: 'alphabet', position: 1 });
    expect(validateVin('WVWZZZCD4MW100001')).toEqual({ rule: 'check-digit' });
    // A model-year code that is never used, with a check digit that matches.
    const draft = 'WVWZZZCD0UW100001';
    const vin = draft.slice(0, 8) + checkDigit(draft) + draft.slice(9);
    expect(validateVin(vin)).toEqual({ rule: 'model-year' });
  });

  it('leaves the check digit of other manufacturers outside North America alone', () => {
    expect(validateVin('ZFA31200XAA123456')).toBeNull();
    expect(validateVin('1HGCM82633A004352')).toBeNull();
    expect(validateVin('1HGCM82643A004352')).toEqual({ rule: 'check-digit' });
  });

  it('mints valid VINs whose serial never starts with 99', () => {
    const nines = () => 0.999;
    expect(validateVin(randomVin(nines))).toBeNull();
    expect(randomVin(nines).slice(11, 13)).not.toBe('99');
    for (let i = 0; i < 50; i++) expect(validateVin(randomVin())).toBeNull();
  });
});
