/**
 * Dark specks at skin silhouettes (issue 16; materials/subsurface-resolve.ts): a skin sphere
 * against the background (sss.html?check=silhouette), SSS on with the pre-pass multisampled as in
 * the head scenes. An antialiased edge pixel mixes skin and background, so none may be darker than
 * both (speck-pixels.ts's silhouette count). Babylon's own SSS code (the guard switched off on the
 * same page) must show the specks, so the scene reproduces what the guard removes; away from the
 * edge the guard must leave the skin as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Page } from "playwright-core";
import { ARTIFACTS, type BrowserSession, CHROMIUM, startBrowserSession } from "./harness.ts";
import { countSpecks, interiorDifference } from "./speck-pixels.ts";

const hasChromium = existsSync(CHROMIUM) || process.env.CI === "true"; // see scenes.test.ts

async function frame(page: Page, name: string): Promise<Buffer> {
  await page.evaluate(() => window.porelight.renderFrames!(2));
  const url = await page.evaluate(() => (document.getElementById("view") as HTMLCanvasElement).toDataURL("image/png"));
  const png = Buffer.from(url.slice(url.indexOf(",") + 1), "base64");
  await writeFile(path.join(ARTIFACTS, `${name}.png`), png);
  return png;
}

describe.skipIf(!hasChromium)("skin silhouettes in Chromium", () => {
  let session: BrowserSession;

  beforeAll(async () => {
    session = await startBrowserSession(ARTIFACTS); // no job needed
  });

  afterAll(async () => {
    await session?.close();
  });

  it("has no edge pixel darker than both the skin and the background", async () => {
    const { page, errors } = await session.open("/scenes/sss.html?check=silhouette&render=manual", { width: 1320, height: 480 });
    const state = await page.evaluate(() => ({ prePass: !!window.porelight.scene!.prePassRenderer?.enabled, samples: window.porelight.scene!.prePassRenderer?.samples ?? 0 }));
    expect(state.prePass).toBe(true);
    const results: Record<string, unknown> = { state };
    // 4× MSAA (the scenes' default): mixed edge pixels; 1×: edge pixels whose blur samples all missed.
    for (const samples of [4, 1]) {
      await page.evaluate((n) => window.porelight.setMsaa!(n), samples);
      await page.evaluate(() => window.porelight.setResolveGuard!(true));
      const guarded = await frame(page, `specks-msaa${samples}-guarded`);
      await page.evaluate(() => window.porelight.setResolveGuard!(false));
      const raw = await frame(page, `specks-msaa${samples}-raw`);
      const after = await countSpecks(guarded), before = await countSpecks(raw);
      const interior = await interiorDifference(guarded, raw);
      results[`msaa${samples}`] = { before, after, interior };
      expect(before.silhouette, `Babylon's own SSS should show the specks here (MSAA ${samples})`).toBeGreaterThan(20);
      expect(after.silhouette, `MSAA ${samples}`).toBeLessThanOrEqual(2);
      expect(interior.pixels).toBeGreaterThan(20_000);
      expect(interior.mean, `MSAA ${samples}`).toBeLessThan(1);
    }
    await writeFile(path.join(ARTIFACTS, "specks.json"), JSON.stringify(results, null, 2));
    expect(errors).toEqual([]);
  });
});
