// Helpers for the browser suite: Debian's Chromium through playwright-core, axe-core on every page,
// screenshots for the README, and a record of CSP violations and page errors.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';

export const baseURL = () => inject('baseURL');
const shots = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// playwright-core gives every launch a fresh temporary profile (user data dir) and removes it.
function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
  });
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** CSP violations and uncaught errors seen so far: every test ends with none. */
  problems: string[];
}

async function newTab(browser: Browser, locale = 'en-GB'): Promise<Tab> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale, baseURL: baseURL() });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { context, page, problems };
}

/**
 * useBrowser sets up a test file's browser: one Chromium for the file, and open(locale), which
 * gives a tab in a context of its own (a second tab in a test is a private window: nothing shared).
 * After each test every tab it opened is closed, and the test fails on any CSP violation or page
 * error they saw, except those matching ignore.
 */
export function useBrowser({ ignore }: { ignore?: RegExp } = {}): (locale?: string) => Promise<Tab> {
  let browser: Browser | undefined;
  const tabs: Tab[] = [];
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    const open = tabs.splice(0);
    const problems = open.flatMap((t) => t.problems).filter((p) => !ignore?.test(p));
    await Promise.all(open.map((t) => t.context.close()));
    expect(problems, 'CSP violations and page errors').toEqual([]);
  });
  return async (locale) => {
    if (!browser) throw new Error('open() ran before Chromium was launched (call it inside a test)');
    const tab = await newTab(browser, locale);
    tabs.push(tab);
    return tab;
  };
}

/** checkA11y runs axe-core on the page as it is: no serious or critical violation. */
export async function checkA11y(page: Page, what: string): Promise<void> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    `accessibility of ${what}`,
  ).toEqual([]);
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(shots, { recursive: true });
  const size = page.viewportSize()!;
  if (fullPage) {
    // A real resize rather than Chromium's capture beyond the viewport, which lays the page out
    // again without telling Cloudscape's resize observers (charts then overflow their container).
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: size.width, height: Math.min(height, 4000) });
    await page.waitForTimeout(500);
  }
  await page.screenshot({ path: join(shots, `${name}.png`), animations: 'disabled', caret: 'hide' });
  if (fullPage) await page.setViewportSize(size);
}

/** signIn goes through the development issuer's sign-in page as a person would. */
export async function signIn(page: Page, who: 'Alice (owner)' | 'Bob (seller)' | 'Dan (dealer)'): Promise<void> {
  await page.locator('#top-nav').getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/oidc\/authorize/);
  await page.getByRole('button', { name: new RegExp(`^${who.replace(/[()]/g, '\\$&')}`) }).click();
  await page.locator('#top-nav').getByRole('button', { name: who }).first().waitFor();
}

export async function waitForReport(page: Page): Promise<void> {
  await page.locator('[data-section="build"]').waitFor({ timeout: 30_000 });
}
