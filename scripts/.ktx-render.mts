import { renderViews } from "../bench/export-render.ts";
const out = "/work/wt/ktx/bench-artifacts/export";
const r = await renderViews("/tmp/ktx-job", out, ["source", "desktop"].map((t) => ({ name: t, file: `${out}/head.${t}.glb` })), "source");
console.log(JSON.stringify(r));
