// The HTML report rendered by a real browser: Debian's Chromium, headless, driven by playwright-core.
import { existsSync } from 'node:fs';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREDICTIONS_A, put, tempDir, topk, writeClassFolders } from './test-support.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  console.warn(
    `Skipping the HTML report's Chromium tests: ${CHROMIUM} is missing (apt-get install chromium).`,
  );
}

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Opened {
  readonly page: Page;
  readonly problems: string[];
  readonly requests: string[];
}

describe.skipIf(!available)(`topk evaluate --report in headless Chromium (${CHROMIUM})`, () => {
  let dir: string;
  let remove: () => Promise<void>;
  let browser: Browser;

  beforeAll(async () => {
    ({ dir, remove } = await tempDir());
    await writeClassFolders(join(dir, 'data'), 3);
    await put(join(dir, 'preds.csv'), PREDICTIONS_A);
    const epochs = [1, 2, 3, 4, 5].map((epoch) =>
      JSON.stringify({
        epoch,
        loss: 2 / epoch,
        val_loss: 2.2 / epoch + 0.1,
        val_accuracy: 0.5 + epoch / 20,
        lr: 1e-3 / epoch,
      }),
    );
    await put(join(dir, 'run', 'history.jsonl'), `${epochs.join('\n')}\n`);
    await put(join(dir, 'ml.csv'), 'id,labels\ncat/0.png,cat dog\ncat/1.png,cat\ndog/0.png,\n');
    await put(
      join(dir, 'ml-preds.csv'),
      'id,cat,dog\ncat/0.png,0.9,0.4\ncat/1.png,0.6,0.7\ndog/0.png,0.1,0.2\n',
    );
    const single = await topk(
      ['evaluate', '--preds', 'preds.csv', '--labels', 'data', '--run', 'run', '--report', 'report.html'],
      dir,
    );
    expect(single.code).toBe(0);
    const multi = await topk(
      ['evaluate', '--preds', 'ml-preds.csv', '--labels', 'ml.csv', '--root', 'data', '--report', 'ml.html'],
      dir,
    );
    expect(multi.code).toBe(0);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await remove?.();
  });

  async function open(file: string): Promise<Opened> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(join(dir, file)).href, { waitUntil: 'load' });
    return { page, problems, requests };
  }

  it('renders the training curves, confusion matrix, per-class table and thumbnails, without errors or requests', async () => {
    const { page, problems, requests } = await open('report.html');

    const charts = page.locator('#curves svg.chart');
    expect(await charts.count()).toBe(3);
    for (const [i, title] of ['Loss', 'Metrics', 'Learning rate'].entries()) {
      const chart = charts.nth(i);
      const box = await chart.boundingBox();
      expect(box!.width).toBeGreaterThan(500);
      expect(box!.height).toBeGreaterThan(250);
      expect(await chart.locator('.chart-title').textContent()).toBe(title);
      // Each drawn line spans most of the plot width.
      const lines = chart.locator('polyline.series');
      expect(await lines.count()).toBeGreaterThan(0);
      for (let k = 0; k < (await lines.count()); k++) {
        const lineBox = await lines.nth(k).boundingBox();
        expect(lineBox!.width).toBeGreaterThan(400);
      }
    }
    expect(await page.locator('#curves polyline[data-series="val_loss"]').count()).toBe(1);
    expect(await page.locator('#curves circle').count()).toBe(5 * 4);

    const cells = page.locator('table.confusion td.cm-cell');
    expect(await cells.count()).toBe(9);
    expect(await cells.allTextContents()).toEqual(['2', '1', '0', '1', '2', '0', '0', '1', '2']);
    for (let k = 0; k < 9; k++) {
      const box = await cells.nth(k).boundingBox();
      expect(box!.width).toBeGreaterThan(20);
      expect(box!.height).toBeGreaterThan(10);
    }
    // Diagonal cells shaded blue (alpha 0.08 + 0.82 × 2/3), confusions red, empty cells transparent.
    const background = (k: number) => cells.nth(k).evaluate((cell) => getComputedStyle(cell).backgroundColor);
    expect(await background(0)).toMatch(/^rgba\(31, 119, 180, 0\.62/);
    expect(await background(1)).toMatch(/^rgba\(214, 39, 40, 0\.35/);
    expect(await background(2)).toMatch(/, 0\)$/);
    await page.click('#cm-toggle');
    expect(await cells.allTextContents()).toEqual([
      '66.7%',
      '33.3%',
      '0.0%',
      '33.3%',
      '66.7%',
      '0.0%',
      '0.0%',
      '33.3%',
      '66.7%',
    ]);
    expect(await page.locator('#cm-toggle').textContent()).toBe('show counts');
    await page.click('#cm-toggle');
    expect(await cells.first().textContent()).toBe('2');

    expect(await page.locator('table.per-class tr.class-row').count()).toBe(3);
    expect(await page.locator('.card.metric .value').allTextContents()).toEqual([
      '0.6667',
      '0.7190',
      '0.6794',
    ]);

    const thumbs = page.locator('#top-losses img.thumb');
    expect(await thumbs.count()).toBe(9);
    const decoded = await thumbs.evaluateAll((images) =>
      (images as HTMLImageElement[]).map((img) => [img.complete, img.naturalWidth, img.naturalHeight]),
    );
    expect(decoded).toEqual(new Array(9).fill([true, 40, 30]));
    // The first top loss is cat/1.png, a red image: the browser decoded the embedded PNG's pixels.
    const pixel = await thumbs.first().evaluate((img: HTMLImageElement) => {
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const context = canvas.getContext('2d')!;
      context.drawImage(img, 0, 0);
      return Array.from(context.getImageData(5, 5, 1, 1).data);
    });
    expect(pixel).toEqual([200, 50, 50, 255]);
    const thumbBox = await thumbs.first().boundingBox();
    expect(thumbBox!.width).toBeGreaterThan(50);

    expect(problems).toEqual([]);
    expect(requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:'))).toEqual([]);

    const shots = await mkdtemp(join(tmpdir(), 'topk-report-'));
    const screenshot = join(shots, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect((await stat(screenshot)).size).toBeGreaterThan(20_000);
    console.log(`report screenshot: ${screenshot}`);
    await page.close();
  });

  it('renders a multi-label report: no confusion matrix, thumbnails from --root', async () => {
    const { page, problems, requests } = await open('ml.html');
    expect(await page.locator('table.confusion').count()).toBe(0);
    expect(await page.locator('#curves svg').count()).toBe(0);
    expect(await page.locator('.card.metric .name').allTextContents()).toEqual([
      'micro F1',
      'macro F1',
      'binary log-loss',
    ]);
    const thumbs = page.locator('#top-losses img.thumb');
    expect(await thumbs.count()).toBe(3);
    const widths = await thumbs.evaluateAll((images) =>
      (images as HTMLImageElement[]).map((img) => img.naturalWidth),
    );
    expect(widths).toEqual([40, 40, 40]);
    expect(problems).toEqual([]);
    expect(requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:'))).toEqual([]);
    await page.close();
  });
});
