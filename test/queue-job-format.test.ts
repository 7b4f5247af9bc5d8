import { describe, expect, it } from "vitest";
import { optionsFromFlags, type JobFlags } from "../src/cli/commands/reconstruct.ts";
import { JOB_FORM_FIELDS, parseJobForm } from "../src/daemon/job-form.ts";
import { buildKey } from "../src/io/build-record.ts";
import { BadJobError, JOB_FORMAT_VERSION, parseJobData, type QueueJobData } from "../src/queue/job-format.ts";
import { RECONSTRUCT_DEFAULTS, type ReconstructOptions } from "../src/types.ts";

/** Job data as `batch --queue` stores it in Redis (JSON), for the options the flags give. */
function jobData(flags: JobFlags): unknown {
  return storedJobData(optionsFromFlags(flags));
}

/** Job data carrying `options`, through JSON as Redis stores it. */
function storedJobData(options: ReconstructOptions): unknown {
  const data: QueueJobData = {
    format: JOB_FORMAT_VERSION,
    name: "p0",
    photo: "photos/p0.png",
    input: { file: ".porelight-queue/inputs/p0.png", sha256: "0".repeat(64), bytes: 10 },
    options,
    key: "a".repeat(64),
    producerOut: "/out",
  };
  return JSON.parse(JSON.stringify(data));
}

/** A valid value other than the default for each field of the job form (a new field needs one here: the test below says so). */
const NON_DEFAULT_FIELDS: Record<string, string> = { preset: "high", face: "2", formats: "glb,maps", target: "web", expression: "photo" };

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

  it("carries every field of the job form's schema, each set to a value other than its default", () => {
    for (const field of JOB_FORM_FIELDS) {
      expect(NON_DEFAULT_FIELDS[field], `a non-default value for the form's field "${field}"`).toBeDefined();
      const produced = parseJobForm({ [field]: NON_DEFAULT_FIELDS[field] });
      const value = (produced as unknown as Record<string, unknown>)[field];
      // The value is really set (not the default nor absent), so losing it changes the options.
      expect(value, field).toBeDefined();
      expect(value, field).not.toEqual((RECONSTRUCT_DEFAULTS as Record<string, unknown>)[field]);
      expect(parseJobData(storedJobData(produced)).options, field).toEqual(produced);
    }
    const all = parseJobForm(NON_DEFAULT_FIELDS);
    expect(Object.keys(all).sort()).toEqual([...JOB_FORM_FIELDS].sort());
    expect(parseJobData(storedJobData(all)).options).toEqual(all);
  });

  it("refuses an option the API refuses", () => {
    const data = jobData({ out: "/out", preset: "draft" }) as { options: Record<string, unknown> };
    data.options.target = "cinema";
    expect(() => parseJobData(data)).toThrow(BadJobError);
    expect(() => parseJobData(data)).toThrow(/target/);
  });

  it("refuses an option the job form does not know", () => {
    const data = jobData({ out: "/out", preset: "draft" }) as { options: Record<string, unknown> };
    data.options.colour = "blue";
    expect(() => parseJobData(data)).toThrow(BadJobError);
  });
});
