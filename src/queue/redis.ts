/**
 * The Redis behind a porelight queue: `--queue redis://[user:pass@]host[:port][/db]` parsed and
 * checked up front, and a first connection that either answers within a few seconds or ends the
 * command with a sentence a person can act on. After that first contact, a lost connection is
 * retried forever: a Redis restart must pause workers, not kill them.
 */
import { Redis } from "ioredis";

/** A configuration mistake (URL, unreachable Redis, incompatible queue, unwritable --out): exit 2. */
export class QueueConfigError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "QueueConfigError";
  }
}

export interface QueueTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL with any password replaced by "***", for messages and logs. */
  display: string;
}

/** Parses `--queue`; throws QueueConfigError saying what a good URL looks like. */
export function parseQueueUrl(text: string): QueueTarget {
  const example = "redis://host:6379 or redis://host:6379/2 (db 2)";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new QueueConfigError(`--queue ${JSON.stringify(text)} is not a URL; expected ${example}`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new QueueConfigError(`--queue ${JSON.stringify(text)}: the scheme must be redis: or rediss: (TLS), not ${url.protocol}; expected ${example}`);
  }
  if (!url.hostname) throw new QueueConfigError(`--queue ${JSON.stringify(text)} names no host; expected ${example}`);
  const dbText = url.pathname.replace(/^\//, "");
  if (dbText !== "" && !/^\d{1,5}$/.test(dbText)) {
    throw new QueueConfigError(`--queue ${JSON.stringify(text)}: the path must be a database number (e.g. /0), not /${dbText}`);
  }
  if (url.search || url.hash) throw new QueueConfigError(`--queue ${JSON.stringify(text)}: query strings and fragments are not understood; expected ${example}`);
  const safe = new URL(url.href);
  if (safe.password) safe.password = "***";
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port ? Number(url.port) : 6379,
    db: dbText ? Number(dbText) : 0,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    tls: url.protocol === "rediss:",
    display: safe.href.replace(/\/$/, ""),
  };
}

export interface ConnectOptions {
  /** How long the first contact may take before the command gives up, ms. Default 5000. */
  timeoutMs?: number;
  /** CLIENT SETNAME, so `CLIENT LIST` shows who is who. */
  connectionName?: string;
}

/**
 * Connects and PINGs once; rejects with QueueConfigError (the reason and what to check) if Redis
 * does not answer in time. The returned client reconnects on its own after any later loss.
 *
 *   const redis = await connectRedis(parseQueueUrl("redis://127.0.0.1:6379"));
 */
export async function connectRedis(target: QueueTarget, options: ConnectOptions = {}): Promise<Redis> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const client = new Redis({
    host: target.host,
    port: target.port,
    db: target.db,
    username: target.username,
    password: target.password,
    tls: target.tls ? {} : undefined,
    connectionName: options.connectionName,
    lazyConnect: true,
    // BullMQ needs commands to wait through an outage instead of failing after N retries.
    maxRetriesPerRequest: null,
    connectTimeout: timeoutMs,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });
  let lastError = null as Error | null; // set by the listener below; "as" keeps TS from narrowing it to null
  const remember = (err: Error) => (lastError = err);
  client.on("error", remember);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("no answer")), timeoutMs))),
    ]);
  } catch (err) {
    client.disconnect();
    const first = (err as Error).message;
    const why = lastError?.message ?? (first === "no answer" ? `no answer within ${timeoutMs / 1000} s` : first);
    const hint = /NOAUTH|WRONGPASS|AUTH/i.test(why)
      ? "check the user and password in the URL"
      : /DB index|invalid DB/i.test(why)
        ? "this Redis has fewer databases; use a smaller /db"
        : `is redis-server running there and reachable from this machine (firewall, bind address)?`;
    throw new QueueConfigError(`cannot reach Redis at ${target.display} (${why}); ${hint}`);
  } finally {
    clearTimeout(timer);
  }
  client.off("error", remember);
  return client;
}
