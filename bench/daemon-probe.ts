/**
 * `npm run bench -- daemon-probe [--root <checkout>]...`: issue 20's probe of `porelight serve`,
 * as figures. For each checkout given (default: this one), in turn, on a fresh data directory:
 *
 * - malformed percent escapes: the status of five bad URLs;
 * - slow uploads: 17 clients trickle one byte every 500 ms; then a normal submission is retried
 *   every 2 s: how long until it is accepted (bounded at 60 s), what health and 429 say meanwhile,
 *   and when the tricklers are cut off;
 * - a second daemon on the same data directory: exit code and how long it took to exit (bounded at
 *   60 s; compare with the first daemon's start-up time, which on a loaded machine is many seconds);
 * - the Connection header of a 413.
 *
 * Passing the previous commit's checkout and this one compares before and after in one run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const PHOTO = readFileSync(fileURLToPath(new URL("../test/fixtures/astronaut-nasa-public-domain.png", import.meta.url)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function serve(root: string, dataDir: string): { proc: ChildProcess; url: Promise<string>; stderr: () => string; exited: Promise<number | string> } {
  const proc = spawn(process.execPath, [join(root, "bin/porelight.js"), "serve", "--port", "0", "--data-dir", dataDir], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  proc.stderr!.on("data", (c) => (err += c));
  const exited = new Promise<number | string>((r) => proc.once("exit", (code, signal) => r(code ?? signal ?? -1)));
  const url = new Promise<string>((res, rej) => {
    let out = "";
    proc.stdout!.on("data", (c) => {
      out += c;
      const m = /listening on (\S+)/.exec(out);
      if (m) res(m[1]);
    });
    void exited.then((code) => rej(new Error(`exited ${code}`)));
  });
  url.catch(() => {});
  return { proc, url, stderr: () => err, exited };
}

function rawGet(base: string, path: string): Promise<number> {
  return new Promise((res, rej) => request(`${base}/`, { path }, (r) => (r.resume(), res(r.statusCode!))).on("error", rej).end());
}

function trickle(base: string): { socket: Socket; answeredAt: Promise<{ ms: number; status: string }> } {
  const t0 = Date.now();
  const { port } = new URL(base);
  const socket = connect(Number(port), "127.0.0.1");
  socket.on("error", () => {});
  socket.write(
    `POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 1000000\r\n\r\n--b\r\nContent-Disposition: form-data; name="photo"; filename="p.png"\r\n\r\n`,
  );
  const timer = setInterval(() => socket.writable && socket.write("A"), 500);
  let text = "";
  socket.on("data", (c) => (text += c));
  const answeredAt = new Promise<{ ms: number; status: string }>((r) =>
    socket.on("close", () => {
      clearInterval(timer);
      r({ ms: Date.now() - t0, status: /^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? "closed" });
    }),
  );
  return { socket, answeredAt };
}

async function submit(base: string): Promise<{ status: number; body: { id?: string; error?: { code: string; message: string } } }> {
  const form = new FormData();
  form.append("preset", "draft");
  form.append("photo", new Blob([PHOTO]), "photo.png");
  const res = await fetch(`${base}/v1/jobs`, { method: "POST", body: form });
  return { status: res.status, body: await res.json() };
}

async function probe(root: string): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "porelight-probe-"));
  const started = Date.now();
  const first = serve(root, dataDir);
  const extra: ChildProcess[] = [];
  try {
    const base = await first.url;
    console.log(`\n--- ${root} (daemon ${base}, listening ${seconds(Date.now() - started)} after spawn)`);

    const bad = ["/v1/jobs/jaaaaaaaa-0000000000000000/files/%", "/v1/jobs/jaaaaaaaa-0000000000000000/files/%zz", "/v1/jobs/jaaaaaaaa-0000000000000000/files/%C0%AE%C0%AE", "/v1/jobs/jaaaaaaaa-0000000000000000/files/%FF%FE", "/v1/jobs/%zz"];
    console.log(`malformed %-escapes: ${(await Promise.all(bad.map((p) => rawGet(base, p)))).join(" ")}`);

    const slow = Array.from({ length: 17 }, () => trickle(base));
    await sleep(1000);
    const health = (await (await fetch(`${base}/v1/health`)).json()) as { queue: object };
    console.log(`17 slow uploads in progress; health.queue ${JSON.stringify(health.queue)}`);
    const t0 = Date.now();
    let accepted: string | null = null;
    let lastRefusal = "";
    while (Date.now() - t0 < 60_000) {
      const r = await submit(base);
      if (r.status === 202) {
        accepted = r.body.id!;
        break;
      }
      lastRefusal = `${r.status} ${r.body.error?.code}: ${r.body.error?.message}`;
      await sleep(2000);
    }
    console.log(accepted ? `normal submission accepted after ${seconds(Date.now() - t0)}` : `normal submission still refused after 60 s: ${lastRefusal}`);
    if (accepted) await fetch(`${base}/v1/jobs/${accepted}`, { method: "DELETE" }); // no need to compute it
    const cut = await Promise.race([Promise.all(slow.map((s) => s.answeredAt)), sleep(Math.max(0, 60_000 - (Date.now() - t0))).then(() => null)]);
    console.log(
      cut
        ? `slow uploads cut off after ${seconds(Math.min(...cut.map((c) => c.ms)))}–${seconds(Math.max(...cut.map((c) => c.ms)))}, answers ${[...new Set(cut.map((c) => c.status))].join(",")}`
        : "slow uploads still open after 60 s",
    );
    for (const s of slow) s.socket.destroy();

    const second = serve(root, dataDir);
    extra.push(second.proc);
    const s0 = Date.now();
    const outcome = await Promise.race([second.exited.then((c) => `exit ${c}`), second.url.then((u) => `listening on ${u}`, () => "exited"), sleep(60_000).then(() => "still running")]);
    await Promise.race([second.exited, sleep(outcome.startsWith("exit") ? 0 : 200)]);
    const said = second.stderr().trim().split("\n").filter(Boolean).at(-1) ?? "";
    console.log(`second daemon on the same data dir: ${outcome} after ${seconds(Date.now() - s0)}${said ? `; said: ${said.slice(0, 200)}` : ""}`);

    const connection = await new Promise<string>((res, rej) => {
      const req = request(`${base}/v1/jobs`, { method: "POST", headers: { "Content-Type": "multipart/form-data; boundary=b", "Content-Length": 200 << 20 } }, (r) => {
        r.resume();
        res(`${r.statusCode} Connection: ${r.headers.connection}`);
      });
      req.on("error", rej);
      req.write("--b\r\n");
    });
    console.log(`oversized upload: ${connection}`);
  } finally {
    for (const p of [first.proc, ...extra]) if (p.exitCode === null && p.signalCode === null) p.kill("SIGTERM");
    await Promise.all([first.exited, ...extra.map((p) => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.once("exit", r))))]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runDaemonProbe(argv: string[] = []): Promise<void> {
  const roots = argv.flatMap((a, i) => (argv[i - 1] === "--root" ? [resolve(a)] : []));
  for (const root of roots.length ? roots : [fileURLToPath(new URL("..", import.meta.url))]) await probe(root);
}
