/** `porelight queue status --queue redis://…`: what the queue holds and what each worker is doing. */
import type { Command } from "commander";
import { openQueue } from "../../queue/open-queue.ts";
import { queueStatus, type QueueStatus } from "../../queue/status.ts";
import { asCliError } from "../queue-batch.ts";

export function formatStatus(s: QueueStatus, display: string): string {
  const c = s.counts;
  const lines = [`${display}: ${c.waiting} waiting, ${c.active} active, ${c.done} done, ${c.failed} failed${c.delayed ? `, ${c.delayed} waiting to retry` : ""}`];
  if (s.workers.length === 0) lines.push("no workers have connected");
  for (const w of s.workers) {
    const running = w.running.map((r) => `${r.jobId}${r.stage ? ` (${r.stage})` : ""}`).join(", ");
    lines.push(`  ${w.name.padEnd(28)} ${(w.connected ? "connected" : "gone").padEnd(10)} ${String(w.done).padStart(5)} done ${String(w.failed).padStart(4)} failed${running ? `  running ${running}` : ""}`);
  }
  return lines.join("\n");
}

export async function queueStatusCommand(flags: { queue: string; json?: boolean }, stdout: { write(text: string): unknown } = process.stdout): Promise<QueueStatus> {
  const q = await asCliError(openQueue(flags.queue, { claim: false, connectionName: "porelight-status" }));
  try {
    const status = await queueStatus(q.queue, q.redis, q.queueName);
    stdout.write(flags.json ? `${JSON.stringify({ queue: q.target.display, ...status }, null, 2)}\n` : `${formatStatus(status, q.target.display)}\n`);
    return status;
  } finally {
    await q.close();
  }
}

export function register(program: Command): void {
  const queue = program.command("queue").description("inspect the Redis queue that `batch --queue` fills and `worker`s drain");
  queue
    .command("status")
    .description("waiting, active, done and failed jobs, and each worker's running and finished jobs")
    .requiredOption("--queue <url>", "redis://host:6379[/db]")
    .option("--json", "print JSON")
    .action(async (flags: { queue: string; json?: boolean }) => {
      await queueStatusCommand(flags);
    });
}
