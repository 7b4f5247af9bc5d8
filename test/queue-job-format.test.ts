import { describe, expect, it } from "vitest";
import { optionsFromFlags, type JobFlags } from "../src/cli/commands/reconstruct.ts";
import { buildKey } from "../src/io/build-record.ts";
import { BadJobError, JOB_FORMAT_VERSION, parseJobData, type QueueJobData } from "../src/queue/job-format.ts";

/** Job data as `batch --queue` stores it in Redis (JSON), for the options the flags give. */
function jobData(flags: JobFlags): unknown {
  const data: QueueJobData = {
    format: JOB_FORMAT_VERSION,
    name: "p0",
    photo: "photos/p0.png",
    input: { file: ".porelight-queue/inputs/p0.png", sha256: "0".repeat(64), bytes: 10 },
    options: optionsFromFlags(flags),
    key: "a".repeat(64),
    producerOut: "/out",
  };
  return JSON.parse(JSON.stringify(data));
}

describe("queued job data", () => {
  it("carries every option the producer set, so the worker's build key is the producer's", async () => {
    const photo = new Uint8Array([1, 2, 3]);
    const all: JobFlags[] = [{ preset: "draft" }, { preset: "draft", target: "source" }, { preset: "high", target: "web", expression: "photo" }, { preset: "draft", formats: "glb", face: "1" }].map((f) => ({ out: "/out", ...f }));
    for (const flags of all) {
      const produced = optionsFromFlags(flags);
      const received = parseJobData(jobData(flags)).options;
      expect(received, JSON.stringify(flags)).toEqual(produced);
      expect(await buildKey(photo, received)).toBe(await buildKey(photo, produced));
    }
  });

  it("refuses an option the API refuses", () => {
    const data = jobData({ out: "/out", preset: "draft" }) as { options: Record<string, unknown> };
    data.options.target = "cinema";
    expect(() => parseJobData(data)).toThrow(BadJobError);
    expect(() => parseJobData(data)).toThrow(/target/);
  });
});
