/**
 * Request guards, in the order they run: host check (DNS rebinding), origin check and CORS,
 * bearer token. Only origins listed in the config get CORS headers; a browser request carrying
 * any other foreign Origin is refused outright, because a cross-site form POST needs no preflight.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { DaemonConfig } from "./config.ts";
import { isLoopbackHost } from "./config.ts";
import { HttpError } from "./http-error.ts";

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The host part of a Host header ("localhost:7860" → "localhost", "[::1]:80" → "[::1]"). */
function hostName(hostHeader: string): string {
  const m = /^(\[[^\]]+\]|[^:]+)(:\d+)?$/.exec(hostHeader.trim().toLowerCase());
  return m ? m[1] : "";
}

/**
 * On a loopback bind without a token, only accept Host headers naming this machine: a web page
 * that rebinds its own domain name to 127.0.0.1 still sends its own name and is refused.
 */
export function hostGuard(config: DaemonConfig): RequestHandler {
  const active = isLoopbackHost(config.host) && !config.token;
  return (req, _res, next) => {
    if (!active) return next();
    const name = hostName(req.headers.host ?? "");
    if (LOOPBACK_NAMES.has(name)) return next();
    next(new HttpError(403, "forbidden_host", `Host "${req.headers.host ?? ""}" is not this machine; use http://127.0.0.1:${config.port}/`));
  };
}

/** CORS for the configured origins; any other cross-origin browser request is refused with 403. */
export function originGuard(config: DaemonConfig): RequestHandler {
  const allowed = new Set(config.corsOrigins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next(); // not a browser cross-origin request (curl, Node, same-origin GET)
    const sameOrigin = origin === `http://${req.headers.host}` || origin === `https://${req.headers.host}`;
    if (allowed.has(origin)) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Vary", "Origin");
      res.setHeader("Access-Control-Expose-Headers", "Retry-After, Location");
      if (req.method === "OPTIONS") {
        res.setHeader("Access-Control-Allow-Methods", "GET, POST, DELETE");
        res.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID");
        res.setHeader("Access-Control-Max-Age", "600");
        res.status(204).end();
        return;
      }
      return next();
    }
    if (sameOrigin) return next();
    next(
      new HttpError(
        403,
        "origin_not_allowed",
        `requests from ${origin} are not allowed; start the daemon with --cors-origin ${origin} (or PORELIGHT_CORS_ORIGINS) to allow them`,
      ),
    );
  };
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Bearer-token check (constant time) on every route it is mounted on, when a token is configured. */
export function bearerAuth(config: DaemonConfig): RequestHandler {
  const expected = config.token ? digest(config.token) : null;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!expected) return next();
    const header = req.headers.authorization ?? "";
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m && timingSafeEqual(digest(m[1]), expected)) return next();
    res.setHeader("WWW-Authenticate", 'Bearer realm="porelight"');
    next(new HttpError(401, "unauthorized", m ? "the bearer token is wrong" : "this daemon requires Authorization: Bearer <token>"));
  };
}

/** Headers every response carries. */
export const baseHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
  next();
};
