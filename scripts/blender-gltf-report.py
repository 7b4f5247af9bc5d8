# Imports one glTF/GLB with Blender's own glTF importer and prints what Blender made of it as one
# JSON line prefixed "PORELIGHT_BLENDER_REPORT ": objects, meshes (vertices, faces, UV layers, shape
# keys = morph targets), materials (the images their node trees use), images, and the importer's
# errors. Run by scripts/blender-check.ts:
#
#   blender -b --factory-startup --python scripts/blender-gltf-report.py -- head.glb
import json
import sys
import traceback

import bpy

# Debian 12 pairs Blender 3.4.1 with numpy 1.24, which removed the `np.bool` alias that 3.4's glTF
# importer still uses (set_poly_smoothing): every import with smooth normals fails. The alias meant
# the builtin bool; restoring it changes nothing else.
try:
    import numpy

    if "bool" not in numpy.__dict__:
        numpy.bool = bool
    report_numpy = numpy.__version__
except ImportError:  # the importer itself needs numpy: its error is reported below
    report_numpy = None

path = sys.argv[sys.argv.index("--") + 1]
report = {"file": path, "blender": bpy.app.version_string, "numpy": report_numpy, "errors": []}

# An empty scene: the factory startup's cube, camera and light are not the file's.
bpy.ops.wm.read_factory_settings(use_empty=True)
try:
    result = bpy.ops.import_scene.gltf(filepath=path)
    report["result"] = sorted(result)
except Exception as err:  # the importer raises on extensions it cannot read (EXT_meshopt_compression in 3.4)
    report["result"] = ["EXCEPTION"]
    report["errors"].append("".join(traceback.format_exception_only(type(err), err)).strip())

report["objects"] = [
    {"name": o.name, "type": o.type, "parent": o.parent.name if o.parent else None, "location": [round(v, 6) for v in o.location]}
    for o in bpy.data.objects
]
report["meshes"] = [
    {
        "name": m.name,
        "vertices": len(m.vertices),
        "faces": len(m.polygons),
        "uvLayers": len(m.uv_layers),
        # The basis key is not a morph target.
        "shapeKeys": len(m.shape_keys.key_blocks) - 1 if m.shape_keys else 0,
        "materials": [mat.name for mat in m.materials if mat],
    }
    for m in bpy.data.meshes
]
report["materials"] = [
    {
        "name": mat.name,
        "images": sorted(n.image.name for n in mat.node_tree.nodes if n.type == "TEX_IMAGE" and n.image) if mat.use_nodes else [],
        "normalMaps": sum(1 for n in mat.node_tree.nodes if n.type == "NORMAL_MAP") if mat.use_nodes else 0,
    }
    for mat in bpy.data.materials
]
report["images"] = [
    {"name": i.name, "size": list(i.size), "colorspace": i.colorspace_settings.name, "hasData": bool(i.has_data) or i.size[0] > 0}
    for i in bpy.data.images
]
# On a line of its own: Blender's own messages may leave the current line unterminated.
print("\nPORELIGHT_BLENDER_REPORT " + json.dumps(report), flush=True)
