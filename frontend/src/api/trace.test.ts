import { describe, expect, it } from 'vitest';
import { traceRoot } from './client';

describe('traceRoot', () => {
  it('reads the Root of an X-Amzn-Trace-Id header', () => {
    expect(traceRoot('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1')).toBe(
      '1-5759e988-bd862e3fe1be46a994272793',
    );
    expect(traceRoot('Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793')).toBe(
      '1-5759e988-bd862e3fe1be46a994272793',
    );
  });
  it('refuses anything else, so no other text lands in the link', () => {
    for (const h of [null, '', 'Root=1-xyz', 'Root=../../admin', 'Root=1-5759e988-bd862e3fe1be46a994272793x']) {
      expect(traceRoot(h)).toBeNull();
    }
  });
});
