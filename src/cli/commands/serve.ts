/** `porelight serve`: the HTTP daemon (see src/daemon/ and the README's API section). */
import type { Command } from "commander";
import { CliError } from "../errors.ts";
import { ConfigError, resolveConfig, type ConfigInput } from "../../daemon/config.ts";
import { DataDirLockedError } from "../../daemon/data-lock.ts";
import { consoleLogger, startServer } from "../../daemon/server.ts";

interface ServeFlags extends ConfigInput {
  verbose?: boolean;
}

export function register(program: Command): void {
  program
    .command("serve")
    .description("run the HTTP daemon (JSON API under /v1, sample scenes under /scenes/)")
    .option("--host <address>", "interface to bind; non-loopback requires --token (env PORELIGHT_HOST)", undefined)
    .option("--port <n>", "TCP port, 0 for any free one (env PORELIGHT_PORT; default 7860)")
    .option("--token <secret>", "require Authorization: Bearer <secret> on every route but /v1/health (env PORELIGHT_TOKEN)")
    .option("--data-dir <dir>", "where jobs and outputs persist (env PORELIGHT_DATA_DIR; default ~/.local/share/porelight)")
    .option("--cors-origin <origin...>", "browser origins allowed to call the API (env PORELIGHT_CORS_ORIGINS, comma-separated)")
    .option("--max-upload-mb <n>", "largest upload in MiB (env PORELIGHT_MAX_UPLOAD_MB; default 50)")
    .option("--max-megapixels <n>", "largest photo in decoded megapixels (env PORELIGHT_MAX_MEGAPIXELS; default 50)")
    .option("--queue-limit <n>", "jobs allowed to wait behind the running one; more get 429 (env PORELIGHT_QUEUE_LIMIT; default 16)")
    .option("--max-uploads <n>", "uploads received at the same time; more get 503 (env PORELIGHT_MAX_UPLOADS; default 16)")
    .option("--verbose", "log debug messages")
    .action(async (flags: ServeFlags) => {
      let config;
      try {
        config = resolveConfig(flags);
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(err.message, 2);
        throw err;
      }
      const logger = consoleLogger(flags.verbose);
      const running = await startServer(config, { logger }).catch((err: NodeJS.ErrnoException) => {
        if (err instanceof DataDirLockedError) throw new CliError(err.message, 2);
        if (err.code === "EADDRINUSE") throw new CliError(`port ${config.port} on ${config.host} is already in use (another porelight?); pick one with --port`, 2);
        if (err.code === "EADDRNOTAVAIL") throw new CliError(`cannot bind ${config.host}: no such address on this machine`, 2);
        throw err;
      });
      // Machine-readable first line: scripts and the bench read the URL from it.
      process.stdout.write(`porelight daemon listening on ${running.url} (data: ${config.dataDir})\n`);
      if (config.token) logger.info("bearer token required on /v1 (except /v1/health)");
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          logger.info(`${signal}: shutting down`);
          void running.close().then(resolve);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
