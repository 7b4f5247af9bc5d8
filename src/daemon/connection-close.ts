/**
 * Ending a connection after an early answer (413 too large, 408 too slow) while the client may
 * still be sending its body. The answer says `Connection: close`, so a pooled client never reuses
 * the socket. Node ends such a response with `socket.destroySoon()`: FIN, then close(2) at once;
 * closing with unread request bytes makes the kernel send a reset, which can make the client lose
 * the answer it was sent. So this socket closes the way web servers do it ("lingering close"):
 * half-close, keep reading and discarding for a moment, then close.
 */
import type { Request, Response } from "express";

/** How long a client may keep sending after the answer before the connection is cut, ms. */
export const LINGER_MS = 1000;

/** Marks the response `Connection: close` and makes its socket close lingeringly. Call before sending. */
export function closeAfterResponse(req: Request, res: Response): void {
  res.setHeader("Connection", "close");
  const socket = req.socket;
  socket.destroySoon = function lingeringClose(this: typeof socket) {
    this.end();
    this.resume();
    setTimeout(() => this.destroy(), LINGER_MS).unref();
  };
}
