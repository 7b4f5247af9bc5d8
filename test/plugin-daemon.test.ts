/**
 * The Editor plugin's daemon launcher: it finds a running daemon, or starts one and waits for its
 * health route, and reports a daemon that dies on start with its output. The "daemon" here is a
 * small real HTTP server started through the same spawn path the plugin uses.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
