#!/usr/bin/env python3
"""Copies every vcluster configuration found in loft-sh/vcluster at COMMIT into
tests/configs/vcluster/, each file with a header naming its source.

Only configuration documents are copied, as written (text, not re-serialised, so that quoting
and YAML 1.1 spellings stay as they are):

- config/values.yaml, chart/values.yaml (the defaults);
- e2e/vcluster-*.yaml (Go templates: `{{.Repository}}`, `{{.Tag}}` and `{{.HostClusterName}}`
  are rendered with the e2e defaults of e2e/constants, `{{ printf "x" }}` as x);
- e2e/test_gatewayapi/testdata/invalidcfg/*.yaml;
- test/*Values.yaml and load-test/vcluster-*.yml, load-test/ha-k8s.yaml (Helm values);
- the `deployments.vcluster.helm.values` of devspace.yaml;
- the ```yaml blocks of README.md;
- the `set:` values of every helm-unittest case in chart/tests/*_test.yaml, one YAML document
  per case (preceded by `# it: <case name>`), one file per suite.

Usage: python3 tests/configs/extract_vcluster_configs.py /path/to/vcluster.git tests/configs/vcluster
"""
import os
import re
import subprocess
import sys

COMMIT = "487667546c580898947f95a8219dc6cb248f7b7e"
SHORT = COMMIT[:9]
TEMPLATE_VARS = {
    "Repository": "ghcr.io/loft-sh/vcluster",
    "Tag": "dev-next",
    "HostClusterName": "kind-cluster",
}


def show(repo, path):
    return subprocess.run(["git", "-C", repo, "show", f"{COMMIT}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def files(repo):
    out = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "--name-only", COMMIT], check=True,
                         capture_output=True, text=True).stdout
    return [f for f in out.split("\n") if f and not f.startswith("vendor/")]


def header(source, note=None):
    lines = [f"# Source: loft-sh/vcluster {source} at commit {SHORT} ({COMMIT})."]
    if note:
        lines += [f"# {line}" if line else "#" for line in note.split("\n")]
    return "\n".join(lines) + "\n"


def render(text):
    text = re.sub(r'\{\{\s*printf\s+"((?:[^"\\]|\\.)*)"\s*\}\}', lambda m: m.group(1), text)
    return re.sub(r"\{\{\s*\.(\w+)\s*\}\}", lambda m: TEMPLATE_VARS[m.group(1)], text)


def dedent(lines):
    indents = [len(l) - len(l.lstrip(" ")) for l in lines if l.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(l[cut:] if l.strip() else "" for l in lines).rstrip("\n") + "\n"


def block_after(lines, index):
    """The lines indented deeper than lines[index] that follow it."""
    indent = len(lines[index]) - len(lines[index].lstrip(" "))
    out = []
    for line in lines[index + 1:]:
        if line.strip() and len(line) - len(line.lstrip(" ")) <= indent:
            break
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return out


def chart_test_sets(text):
    """(case name, `set:` text) of every helm-unittest case."""
    lines = text.split("\n")
    cases = []
    name = None
    for i, line in enumerate(lines):
        it = re.match(r"^\s*-\s+it:\s*(.*?)\s*$", line)
        if it:
            name = it.group(1).strip("\"'")
        if re.match(r"^\s*set:\s*$", line):
            cases.append((name, dedent(block_after(lines, i))))
    return cases


def main():
    repo, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    written = []

    def write(name, text):
        with open(os.path.join(out, name), "w") as f:
            f.write(text)
        written.append(name)

    all_files = files(repo)
    write("config-values.yaml", header("config/values.yaml") + show(repo, "config/values.yaml"))
    write("chart-values.yaml", header("chart/values.yaml") + show(repo, "chart/values.yaml"))
    note = ("Rendered as the e2e suite renders it (e2e/setup/lazyvcluster, e2e/constants):\n"
            + ", ".join(f"{{{{.{k}}}}} = {v}" for k, v in TEMPLATE_VARS.items()) + ".")
    for path in sorted(f for f in all_files if re.match(r"^e2e/vcluster-[\w-]+\.yaml$", f)):
        name = "e2e-" + os.path.basename(path)[len("vcluster-"):]
        write(name, header(path, note) + render(show(repo, path)))
    for path in sorted(f for f in all_files if f.startswith("e2e/test_gatewayapi/testdata/invalidcfg/")):
        write("e2e-gatewayapi-invalidcfg-" + os.path.basename(path), header(path) + show(repo, path))
    for path in ["test/commonValues.yaml", "test/conformanceValues.yaml", "test/proValues.yaml"]:
        write("test-" + os.path.basename(path), header(path) + show(repo, path))
    for path in sorted(f for f in all_files if re.match(r"^load-test/(vcluster-[\w-]+\.yml|ha-k8s\.yaml)$", f)):
        name = "load-test-" + os.path.splitext(os.path.basename(path))[0] + ".yaml"
        write(name, header(path, "Helm values of the v0.19 chart (load tests).") + show(repo, path))

    devspace = show(repo, "devspace.yaml").split("\n")
    deployments = devspace.index("deployments:")
    start = next(i for i, l in enumerate(devspace) if i > deployments and l == "      values:")
    write("devspace-values.yaml",
          header(f"devspace.yaml (deployments.vcluster.helm.values, lines {start + 2}-"
                 f"{start + 1 + len(block_after(devspace, start))})")
          + dedent(block_after(devspace, start)))

    readme = show(repo, "README.md").split("\n")
    block = 0
    i = 0
    while i < len(readme):
        if readme[i].strip() in ("```yaml", "```yml"):
            j = i + 1
            while not readme[j].strip().startswith("```"):
                j += 1
            block += 1
            write(f"readme-{block}.yaml",
                  header(f"README.md (lines {i + 2}-{j})") + dedent(readme[i + 1:j]))
            i = j
        i += 1

    for path in sorted(f for f in all_files if re.match(r"^chart/tests/[\w-]+_test\.yaml$", f)):
        cases = chart_test_sets(show(repo, path))
        if not cases:
            continue
        suite = os.path.basename(path)[: -len("_test.yaml")]
        note = ("The `set:` values of each helm-unittest case, one YAML document per case (the\n"
                "chart merges them over chart/values.yaml).")
        docs = [f"# it: {name}\n{text}" for name, text in cases]
        write(f"chart-tests-{suite}.yaml", header(path, note) + "---\n".join(docs))
    print("\n".join(written))


if __name__ == "__main__":
    main()
