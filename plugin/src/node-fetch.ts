/**
 * `fetch` over Node's `http` module, for the Editor's renderer. The Editor's pages are `file://`
 * documents, so the renderer's own `fetch` is cross-origin to http://127.0.0.1:7860 and the daemon
 * (CORS only for configured origins) rightly refuses it; Node's `http` has no such rule. The
 * request is built and encoded by the platform's own `Request` (so FormData becomes the usual
 * multipart body), and the answer is a platform `Response` whose body streams, which keeps
 * Server-Sent Events live.
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

/** Drop-in `fetch` for http(s) URLs that does not go through the browser's CORS checks. */
export const nodeFetch: typeof fetch = async (input, init) => {
  const req = new Request(input, init);
  const url = new URL(req.url);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`nodeFetch: unsupported URL ${req.url}`);
  const body = req.body ? new Uint8Array(await req.arrayBuffer()) : null;
  const headers: Record<string, string> = {};
  req.headers.forEach((value, name) => (headers[name] = value));
  if (body) headers["content-length"] = String(body.byteLength);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;

  return new Promise<Response>((resolve, reject) => {
    const outgoing = send(url, { method: req.method, headers, signal: init?.signal ?? undefined }, (res) => {
      const status = res.statusCode ?? 0;
      const empty = req.method === "HEAD" || status === 204 || status === 304;
      if (empty) res.resume();
      const stream = empty
        ? null
        : new ReadableStream<Uint8Array>({
            start(controller) {
              res.on("data", (chunk: Uint8Array) => controller.enqueue(new Uint8Array(chunk)));
              res.on("end", () => controller.close());
              res.on("error", (err) => controller.error(err));
            },
            cancel() {
              res.destroy();
            },
          });
      resolve(new Response(stream, { status, statusText: res.statusMessage ?? "", headers: toHeaders(res.headers) }));
    });
    outgoing.on("error", (err) => reject(err.name === "AbortError" ? err : new TypeError(`fetch ${req.url} failed: ${err.message}`, { cause: err })));
    outgoing.end(body ?? undefined);
  });
};
