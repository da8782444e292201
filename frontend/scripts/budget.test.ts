import { describe, expect, it } from 'vitest';
import { initialJS, type ChunkInfo } from './budget';

// Random-looking text gzips poorly, so its size stands for real code's.
function noise(bytes: number, seed: number): string {
  let x = seed;
  let s = '';
  while (s.length < bytes) {
    x = (x * 1103515245 + 12345) % 2147483648;
    s += String.fromCharCode(33 + (x % 90));
  }
  return s;
}

describe('bundle budget', () => {
  const bundle: Record<string, ChunkInfo> = {
    'index.js': { type: 'chunk', fileName: 'index.js', isEntry: true, imports: ['vendor.js'], code: noise(20000, 1) },
    'vendor.js': { type: 'chunk', fileName: 'vendor.js', imports: ['index.js'], code: noise(20000, 2) },
    'page.js': { type: 'chunk', fileName: 'page.js', imports: ['vendor.js'], code: noise(400000, 3) },
    'style.css': { type: 'asset', fileName: 'style.css' },
  };

  it('counts the entry and its static imports, not lazily loaded pages', () => {
    const r = initialJS(bundle, 300);
    expect(r.files).toEqual(['index.js', 'vendor.js']);
    expect(r.gzipBytes).toBeGreaterThan(20000);
    expect(r.gzipBytes).toBeLessThan(60000);
    expect(r.ok).toBe(true);
  });

  it('fails over the limit', () => {
    const r = initialJS(bundle, 15);
    expect(r.ok).toBe(false);
  });
});
