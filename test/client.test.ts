/**
 * The typed client against a live daemon whose pipeline is the TEST DOUBLE; and a check that the
 * client bundles for the browser/Electron without any Node built-in.
 */
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PorelightApiError, PorelightClient, PorelightJobError, type FollowProgress } from "../src/client.ts";
import { ASTRONAUT } from "./daemon-support/inputs.ts";
import { startTestDaemon, type TestDaemon } from "./daemon-support/harness.ts";
import { createReconstructDouble, sha256 } from "./daemon-support/reconstruct-test-double.ts";

const TOKEN = "client-test-token-0123456789";
let d: TestDaemon;
let client: PorelightClient;

beforeAll(async () => {
  d = await startTestDaemon(createReconstructDouble({ stageMs: 20 }), { token: TOKEN, queueLimit: 1 });
  client = new PorelightClient({ baseUrl: d.url, token: TOKEN });
});
afterAll(async () => d?.dispose());

describe("PorelightClient", () => {
  it("reconstructs: submit, follow over SSE, download every output", async () => {
    const progress: FollowProgress[] = [];
    const { job, files } = await client.reconstruct(ASTRONAUT, { preset: "draft", formats: ["glb"] }, { onProgress: (p) => progress.push(p), mode: "sse" });
    expect(job.state).toBe("done");
    expect(job.options).toEqual({ preset: "draft", face: 0, formats: ["glb"] });
    expect(progress.at(-1)!.percent).toBe(100);
    expect(new Set(progress.map((p) => p.stage)).size).toBeGreaterThan(5);
    const got = new Map<string, Uint8Array>();
    await client.downloadAll(job.id, (file, bytes) => void got.set(file.name, bytes));
    expect([...got.keys()]).toEqual(files.map((f) => f.name));
    const report = JSON.parse(new TextDecoder().decode(got.get("report.json")));
    expect(report.photoSha256).toBe(sha256(got.get("maps/photo.png")!));
  });

  it("follows by polling too", async () => {
    const created = await client.submit(new Blob([new Uint8Array(ASTRONAUT)]), { preset: "draft" });
    const seen: string[] = [];
    const job = await client.follow(created.id, { mode: "poll", pollIntervalMs: 20, onJob: (j) => seen.push(j.state) });
    expect(job.state).toBe("done");
    expect(seen.at(-1)).toBe("done");
  });

  it("turns daemon errors into typed errors", async () => {
    await expect(client.submit(new TextEncoder().encode("not an image"))).rejects.toMatchObject({ status: 415, code: "unsupported_media_type" });
    await expect(new PorelightClient({ baseUrl: d.url }).jobs()).rejects.toMatchObject({ status: 401, code: "unauthorized" });
    await expect(client.job("jnope-0000000000000000")).rejects.toBeInstanceOf(PorelightApiError);
  });

  it("gets 429 with Retry-After when the queue is full, and can retry", async () => {
    const burst = await Promise.allSettled([1, 2, 3, 4].map(() => client.submit(ASTRONAUT, { preset: "draft" })));
    const refused = burst.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason as PorelightApiError);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({ status: 429, code: "queue_full" });
    expect(refused[0].retryAfterS).toBeGreaterThanOrEqual(1);
    for (const r of burst) if (r.status === "fulfilled") await client.follow(r.value.id);
    // Fill the queue again; reconstruct() waits Retry-After and gets in once there is room.
    const held = await Promise.all([client.submit(ASTRONAUT), client.submit(ASTRONAUT)]);
    await expect(client.submit(ASTRONAUT)).rejects.toMatchObject({ status: 429 });
    const { job } = await client.reconstruct(ASTRONAUT, { preset: "draft" }, { retries: 5 });
    expect(job.state).toBe("done");
    for (const h of held) expect((await client.job(h.id)).state).toBe("done");
  });

  it("aborting a reconstruct cancels the job on the daemon", async () => {
    const controller = new AbortController();
    let id = "";
    const pending = client.reconstruct(ASTRONAUT, { preset: "draft" }, { signal: controller.signal, onJob: (j) => (id = j.id) });
    while (!id) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" }); // the caller's abort, not a job error
    const job = await client.follow(id, { mode: "poll", pollIntervalMs: 20 });
    expect(job.state).toBe("cancelled");
    await expect(client.files(id)).rejects.toMatchObject({ status: 409 });
    expect(new PorelightJobError(job).code).toBe("cancelled");
  });

  it("bundles for the browser with no Node built-ins", async () => {
    const out = await build({ entryPoints: ["src/client.ts"], bundle: true, platform: "browser", format: "esm", write: false, logLevel: "silent" });
    const code = out.outputFiles[0].text;
    expect(code).not.toMatch(/from\s+["']node:|require\(["'](node:)?(fs|path|http|crypto)/);
    expect(code).toContain("PorelightClient");
  });
});
