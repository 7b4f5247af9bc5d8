/**
 * The OpenAPI 3.1 description of /v1: valid by the OpenAPI 3.1 meta-schema, served at
 * /v1/openapi.json without a token, describing exactly the routes the express app registers,
 * and matching what the daemon really answers (bodies parsed with the schemas it was built from).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Validator } from "@seriousme/openapi-schema-validator";
import type { Express } from "express";
import { openApiDocument } from "../src/daemon/openapi.ts";
import {
  ApiErrorBodySchema,
  HealthViewSchema,
  JobCreatedSchema,
  JobDeletedSchema,
  JobFileListSchema,
  JobListSchema,
  JobViewSchema,
} from "../src/daemon/openapi-schemas.ts";
import { VERSION } from "../src/version.ts";
import { jobForm, startTestDaemon, waitForJob, type TestDaemon } from "./daemon-support/harness.ts";
import { ASTRONAUT } from "./daemon-support/inputs.ts";

const TOKEN = "openapi-test-token-0123456789";
const auth = { Authorization: `Bearer ${TOKEN}` };
let daemon: TestDaemon;

beforeAll(async () => {
  daemon = await startTestDaemon(
    async (_photo, _options, hooks) => {
      hooks.onProgress?.({ stage: "package", stageFraction: 1, overallFraction: 1 });
      return {
        files: [
          { name: "maps/albedo_diffuse.png", bytes: new Uint8Array([1, 2, 3]), mediaType: "image/png" },
          { name: "head.glb", bytes: new Uint8Array([4]), mediaType: "model/gltf-binary" },
        ],
        report: {},
      };
    },
    { token: TOKEN },
  );
});

afterAll(async () => {
  await daemon?.dispose();
});

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: string | string[];
}

/** Every METHOD + path the app answers with a route handler, express syntax turned into OpenAPI's `{param}`. */
function registeredRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const path of [layer.route.path].flat()) {
          const full = (prefix + path).replace(/\/$/, "") || "/";
          const openApiPath = full.replace(/[:*](\w+)/g, "{$1}");
          for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== "_all") out.push(`${method.toUpperCase()} ${openApiPath}`);
        }
      } else if (layer.handle.stack) {
        const mount = typeof layer.rawPath === "string" && layer.rawPath !== "/" ? layer.rawPath : "";
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, "");
  return out.sort();
}

function describedRoutes(doc: Record<string, unknown>): string[] {
  const paths = doc.paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

describe("OpenAPI description", () => {
  it("is a valid OpenAPI 3.1 document whose references all resolve", async () => {
    const validator = new Validator();
    const result = await validator.validate(openApiDocument({ version: VERSION }));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    // The validator does reject a broken document (a path parameter that is not required).
    const broken = openApiDocument({ version: VERSION }) as { paths: Record<string, Record<string, { parameters?: { required?: boolean }[] }>> };
    broken.paths["/v1/jobs/{id}"].get.parameters![0].required = false;
    expect((await new Validator().validate(broken)).valid).toBe(false);
    // Every $ref points at a component that exists.
    const doc = openApiDocument({ version: VERSION }) as { components: { schemas: Record<string, unknown> } };
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(doc.components.schemas, ref).toHaveProperty(ref);
  });

  it("describes every route the express app registers, and no other", () => {
    const registered = registeredRoutes(daemon.daemon.app);
    // The walk itself must see the app's routes, or the comparison below proves nothing.
    expect(registered).toEqual(expect.arrayContaining(["GET /v1/health", "POST /v1/jobs", "GET /v1/jobs/{id}/files/{name}", "DELETE /v1/jobs/{id}"]));
    expect(describedRoutes(openApiDocument({ version: VERSION }))).toEqual(registered);
  });

  it("takes the job form from the zod schema that validates it", () => {
    const doc = openApiDocument({ version: VERSION }) as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, { enum?: string[]; maximum?: number }> } }> } }>> };
    const props = doc.paths["/v1/jobs"].post.requestBody!.content["multipart/form-data"].schema.properties;
    expect(Object.keys(props).sort()).toEqual(["expression", "face", "formats", "photo", "preset", "target"]);
    expect(props.preset.enum).toEqual(["draft", "standard", "high", "ultra"]);
    expect(props.target.enum).toEqual(["web", "desktop", "source"]);
    expect(props.expression.enum).toEqual(["neutral", "photo"]);
    expect(props.face.maximum).toBe(31);
  });

  it("is served at /v1/openapi.json without the token, the same document", async () => {
    const res = await fetch(`${daemon.url}/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(openApiDocument({ version: VERSION }))));
    expect((await fetch(`${daemon.url}/v1/jobs`)).status).toBe(401); // the rest of /v1 still needs it
  });

  it("matches what the daemon answers: health, job, list, files, errors, delete", async () => {
    const base = daemon.url;
    HealthViewSchema.parse(await (await fetch(`${base}/v1/health`)).json());
    const created = await fetch(`${base}/v1/jobs`, { method: "POST", headers: auth, body: jobForm(ASTRONAUT, { preset: "draft", formats: "glb,maps" }, "a.png") });
    expect(created.status).toBe(202);
    const { id } = JobCreatedSchema.parse(await created.json());
    await waitForJob(base, id, (j) => j.state === "done", 20_000, auth);
    const job = JobViewSchema.parse(await (await fetch(`${base}/v1/jobs/${id}`, { headers: auth })).json());
    expect(job.options).toEqual({ preset: "draft", face: 0, formats: ["glb", "maps"] });
    JobListSchema.parse(await (await fetch(`${base}/v1/jobs`, { headers: auth })).json());
    const files = JobFileListSchema.parse(await (await fetch(`${base}/v1/jobs/${id}/files`, { headers: auth })).json());
    expect(files.files.map((f) => f.name)).toEqual(expect.arrayContaining(["head.glb"]));
    const bad = await fetch(`${base}/v1/jobs`, { method: "POST", headers: auth, body: jobForm(ASTRONAUT, { preset: "best" }, "a.png") });
    expect(bad.status).toBe(400);
    expect(ApiErrorBodySchema.parse(await bad.json()).error.code).toBe("invalid_option");
    ApiErrorBodySchema.parse(await (await fetch(`${base}/v1/jobs/nope`, { headers: auth })).json());
    JobDeletedSchema.parse(await (await fetch(`${base}/v1/jobs/${id}`, { method: "DELETE", headers: auth })).json());
  });
});
