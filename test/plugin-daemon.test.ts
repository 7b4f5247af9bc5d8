/**
 * The Editor plugin's daemon launcher: it finds a running daemon, or starts one and waits for its
 * health route, and reports a daemon that dies on start with its output. The "daemon" here is a
 * small real HTTP server started through the same spawn path the plugin uses.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeFetch } from "../plugin/src/node-fetch.ts";
import { ensureDaemon, isDaemonUp, serveCommand, splitCommandLine, stopDaemon, type DaemonHandle } from "../plugin/src/daemon-process.ts";

let dir: string;
const handles: DaemonHandle[] = [];

/** A free loopback port. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "porelight-plugin-daemon-"));
  // Answers /v1/health like `porelight serve`, on the port given after `--port`.
  await writeFile(
    join(dir, "fake-serve.js"),
    `const http = require("node:http");
     const port = Number(process.argv[process.argv.indexOf("--port") + 1]);
     if (process.argv[2] !== "serve") { console.error("expected the serve command"); process.exit(2); }
     http.createServer((req, res) => {
       res.setHeader("content-type", "application/json");
       res.end(req.url === "/v1/health" ? JSON.stringify({ ok: true, version: "test" }) : "{}");
     }).listen(port, "127.0.0.1", () => console.log("listening on " + port));`,
  );
  await writeFile(join(dir, "crash.js"), `console.error("model cache is unreadable"); process.exit(3);`);
});

afterAll(async () => {
  for (const h of handles) stopDaemon(h);
  await rm(dir, { recursive: true, force: true });
});

describe("plugin daemon launcher", () => {
  it("builds the serve command: a .js entry runs with node, the port is passed unless it is the default", () => {
    expect(serveCommand("http://127.0.0.1:7860", "porelight")).toEqual({ file: "porelight", args: ["serve"] });
    expect(serveCommand("http://127.0.0.1:9001", "/opt/porelight/bin/porelight.js")).toEqual({
      file: "node",
      args: ["/opt/porelight/bin/porelight.js", "serve", "--port", "9001"],
    });
    expect(serveCommand("http://127.0.0.1:7860", "npx porelight")).toEqual({ file: "npx", args: ["porelight", "serve"] });
    expect(splitCommandLine(`"C:/Program Files/nodejs/node.exe" "C:/my tools/porelight.js"`)).toEqual(["C:/Program Files/nodejs/node.exe", "C:/my tools/porelight.js"]);
  });

  it("finds the repository's bin/porelight.js next to the plugin folder", () => {
    const { file, args } = serveCommand("http://127.0.0.1:7860", "", join(process.cwd(), "plugin"));
    expect(file).toBe("node");
    expect(args[0]).toBe(join(process.cwd(), "bin", "porelight.js"));
    expect(args.slice(1)).toEqual(["serve"]);
  });

  it("starts the daemon when nothing answers, then reuses the running one", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    expect(await isDaemonUp(url)).toBe(false);
    const lines: string[] = [];
    const started = await ensureDaemon({ url, command: join(dir, "fake-serve.js"), onOutput: (l) => lines.push(l), pollIntervalMs: 100 });
    handles.push(started);
    expect(started.child).not.toBeNull();
    expect(await isDaemonUp(url)).toBe(true);
    const again = await ensureDaemon({ url, command: join(dir, "does-not-exist.js") });
    expect(again.child).toBeNull();
    await new Promise((r) => setTimeout(r, 100));
    expect(lines.join("\n")).toContain("listening on");
    stopDaemon(started);
    await new Promise((r) => started.child!.once("exit", r));
    expect(await isDaemonUp(url)).toBe(false);
  });

  it("starts the real `porelight serve` of this checkout with the automatic command", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const previous = process.env.PORELIGHT_DATA_DIR;
    process.env.PORELIGHT_DATA_DIR = join(dir, "data"); // the spawned daemon inherits it: nothing lands in ~
    try {
      const handle = await ensureDaemon({ url, pluginDir: join(process.cwd(), "plugin"), pollIntervalMs: 200 });
      handles.push(handle);
      expect(handle.child).not.toBeNull();
      const health = await (await fetch(`${url}/v1/health`)).json();
      expect(health).toMatchObject({ ok: true });
      stopDaemon(handle);
      await new Promise((r) => handle.child!.once("exit", r));
    } finally {
      if (previous === undefined) delete process.env.PORELIGHT_DATA_DIR;
      else process.env.PORELIGHT_DATA_DIR = previous;
    }
  });

  it("reports a daemon that exits on start, with its output", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    await expect(ensureDaemon({ url, command: join(dir, "crash.js"), pollIntervalMs: 100 })).rejects.toThrow(/exited with code 3[\s\S]*model cache is unreadable/);
  });

  it("reports a program that cannot be started, and never starts a remote daemon", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    await expect(ensureDaemon({ url, command: "porelight-no-such-program-xyz" })).rejects.toThrow(/cannot start `porelight-no-such-program-xyz`/);
    await expect(ensureDaemon({ url: "http://192.0.2.1:7860", command: "porelight" })).rejects.toThrow(/no daemon answers at http:\/\/192\.0\.2\.1:7860/);
  });
});

describe("plugin nodeFetch (HTTP through Node, outside the renderer's CORS rules)", () => {
  let server: Server;
  let base: string;
  const received: { contentType: string; body: Buffer }[] = [];
  let releaseStream: () => void = () => {};

  beforeAll(async () => {
    server = createHttpServer((req, res) => {
      if (req.url === "/json") return void res.setHeader("content-type", "application/json").end(JSON.stringify({ ok: true }));
      if (req.url === "/upload") {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          received.push({ contentType: String(req.headers["content-type"]), body: Buffer.concat(chunks) });
          res.statusCode = 202;
          res.end("{}");
        });
        return;
      }
      if (req.url === "/events") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("event: progress\ndata: {\"percent\":10}\n\n");
        releaseStream = () => res.end("event: end\ndata: {}\n\n");
        return;
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("returns a platform Response with status, headers and JSON", async () => {
    const res = await nodeFetch(`${base}/json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ ok: true });
    expect((await nodeFetch(`${base}/nothing`)).status).toBe(404);
  });

  it("sends FormData as multipart with the file's bytes", async () => {
    const form = new FormData();
    form.append("preset", "draft");
    form.append("photo", new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])], { type: "image/png" }), "face.png");
    const res = await nodeFetch(`${base}/upload`, { method: "POST", body: form });
    expect(res.status).toBe(202);
    const { contentType, body } = received[0];
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    const text = body.toString("latin1");
    expect(text).toContain('name="preset"');
    expect(text).toContain('filename="face.png"');
    expect(body.includes(Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]))).toBe(true);
  });

  it("streams the body (Server-Sent Events arrive before the response ends)", async () => {
    const res = await nodeFetch(`${base}/events`);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain("event: progress");
    releaseStream();
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest).toContain("event: end");
  });

  it("rejects with a TypeError when nothing listens, like fetch", async () => {
    await expect(nodeFetch("http://127.0.0.1:1/")).rejects.toThrow(TypeError);
  });
});
