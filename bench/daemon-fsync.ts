/**
 * `npm run bench -- daemon-fsync [--rounds 10] [--preset draft]`: what the job store's fsyncs cost
 * per job. Runs the real pipeline once on the sample photo (in a worker process) to get a real
 * output set, then stores it as a job again and again through JobStore — the photo, a record
 * write per stage, the outputs, the done record — alternating durable (the daemon's setting:
 * every file, directory and record flushed in order) and not durable (no fsync at all; before
 * issue 20 the photo and each record were flushed, the outputs and directories not). Reports the
 * median wall time per job of each. `--dir` picks the file system (default: the OS temp dir;
 * on tmpfs fsync costs nothing, so say where it ran).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./timing.ts";
import { PIPELINE_MODULE } from "../src/daemon/config.ts";
import { JobStore, newJobRecord } from "../src/daemon/job-store.ts";
import { reconstructInChildProcess } from "../src/daemon/pipeline-process.ts";
import { acceptPhoto } from "../src/daemon/photo-intake.ts";
import { RECONSTRUCT_DEFAULTS, STAGES, type OutputFile, type Preset } from "../src/types.ts";

const PHOTO = fileURLToPath(new URL("../test/fixtures/astronaut-nasa-public-domain.png", import.meta.url));

async function storeOneJob(store: JobStore, photo: Uint8Array, files: OutputFile[]): Promise<void> {
  const now = new Date();
  const record = newJobRecord(
    { ...RECONSTRUCT_DEFAULTS },
    { mediaType: "image/png", width: 512, height: 512, bytes: photo.length },
    now,
  );
  await store.create(record, photo);
  await store.update(record.id, { state: "running", startedAt: now.toISOString() });
  for (const stage of STAGES) await store.update(record.id, { stage });
  const written = await store.writeOutputs(record.id, files);
  await store.update(record.id, { state: "done", files: written, finishedAt: new Date().toISOString() });
}

export async function runFsyncBench(argv: string[] = []): Promise<void> {
  const get = (flag: string, fallback: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : fallback);
  const rounds = Number(get("--rounds", "10"));
  const preset = get("--preset", "draft") as Preset;
  const photo = (await acceptPhoto(readFileSync(PHOTO), { maxPixels: 50e6 })).png;
  const worker = reconstructInChildProcess({ module: PIPELINE_MODULE });
  let files: OutputFile[];
  try {
    files = (await worker(photo, { ...RECONSTRUCT_DEFAULTS, preset }, {})).files;
  } finally {
    await worker.close();
  }
  const bytes = files.reduce((n, f) => n + f.bytes.byteLength, 0);
  console.log(`output set of one ${preset} job: ${files.length} files, ${(bytes / 2 ** 20).toFixed(1)} MiB; ${rounds} rounds each, alternating`);
  const dir = mkdtempSync(join(get("--dir", tmpdir()), "porelight-bench-fsync-"));
  try {
    const times = { durable: [] as number[], plain: [] as number[] };
    const stores = { durable: await JobStore.open(join(dir, "durable")), plain: await JobStore.open(join(dir, "plain"), { durable: false }) };
    for (let i = 0; i < rounds; i++) {
      for (const kind of ["durable", "plain"] as const) {
        const t0 = performance.now();
        await storeOneJob(stores[kind], photo, files);
        times[kind].push(performance.now() - t0);
      }
    }
    const d = median(times.durable);
    const p = median(times.plain);
    console.log(`storing one job (photo, ${STAGES.length + 2} record writes, outputs): durable median ${d.toFixed(1)} ms, not durable ${p.toFixed(1)} ms: fsync costs ${(d - p).toFixed(1)} ms per job (in ${dir})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
