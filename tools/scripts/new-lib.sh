#!/usr/bin/env bash
# Usage: tools/scripts/new-lib.sh <name> <type-tag> <scope-tag>
# Creates libs/<name> with project.json (tags), package.json, jest config,
# src/index.ts and a tsconfig path alias @tillgate/<name>.
set -euo pipefail
name=$1 type=$2 scope=$3
dir=libs/$name
mkdir -p "$dir/src"
cat > "$dir/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "../../node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "library",
  "tags": ["type:$type", "scope:$scope"],
  "targets": { "test": {}, "lint": {} }
}
JSON
cat > "$dir/package.json" <<JSON
{ "name": "@tillgate/$name", "version": "0.1.0", "private": true, "main": "src/index.ts" }
JSON
cat > "$dir/jest.config.js" <<JS
module.exports = { ...require('../../jest.preset.js'), displayName: '$name', rootDir: __dirname };
JS
[ -f "$dir/src/index.ts" ] || echo "export {};" > "$dir/src/index.ts"
node -e '
const fs=require("fs");const f="tsconfig.base.json";const j=JSON.parse(fs.readFileSync(f,"utf8"));
j.compilerOptions.paths["@tillgate/'"$name"'"]=["libs/'"$name"'/src/index.ts"];
j.compilerOptions.paths=Object.fromEntries(Object.entries(j.compilerOptions.paths).sort());
fs.writeFileSync(f,JSON.stringify(j,null,2)+"\n");'
echo "created $dir"
