"""Checks of the packaging: the Helm chart, config/, crds/, the Dockerfiles and the Kubefile.

Run by scripts/test-chart.sh with the project's .venv Python. Uses real Helm (the Helm Go SDK
through the PyPI package helm-python-sdk, no helm binary) to lint and render the chart, and
kubernetes-validate to check every object against the real Kubernetes schemas.

Each check is a function named check_*; a check fails by raising CheckFailed (or any exception)
with a message that says what is wrong and where. The summary line is "N passed, N failed".
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any, Callable

import yaml

try:
    import helm_python as helm
except ImportError as error:  # pragma: no cover - environment problem, told plainly
    sys.exit(f"test-chart: cannot import helm_python ({error}); run `bash scripts/bootstrap.sh` "
             "(requirements-dev.txt lists helm-python-sdk)")
try:
    import kubernetes_validate
except ImportError as error:  # pragma: no cover
    sys.exit(f"test-chart: cannot import kubernetes_validate ({error}); run `bash scripts/bootstrap.sh`")

ROOT = Path(os.environ.get("ATHENA_ROOT") or Path(__file__).resolve().parent.parent)
CHART = ROOT / "charts" / "athena"
CRDS = ROOT / "crds"
CONFIG = ROOT / "config"
RELEASE = "athena"
RELEASE_NAMESPACE = "athena-system"
WATCH_NAMESPACE = "athena-apps"
# The chart's floor (Chart.yaml kubeVersion) and the newest schemas kubernetes-validate ships.
KUBE_VERSIONS = ["1.29", kubernetes_validate.latest_version()]
ROLE_KINDS = {"Role", "ClusterRole"}
BINDING_KINDS = {"RoleBinding", "ClusterRoleBinding"}
# Built-in roles that grant far more than the operator needs.
FORBIDDEN_ROLE_REFS = {"cluster-admin", "admin", "edit"}
# Verbs that let a subject grant itself more rights.
ESCALATING_VERBS = {"escalate", "bind", "impersonate", "*"}


class CheckFailed(Exception):
    """A packaging problem, with a message that says what and where."""


# MARK: - Helpers


def load_documents(text: str, origin: str) -> list[dict[str, Any]]:
    """Every non-empty YAML document in text, each required to be a mapping."""
    try:
        documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as error:
        raise CheckFailed(f"{origin}: not valid YAML: {error}") from error
    for index, doc in enumerate(documents):
        if not isinstance(doc, dict):
            raise CheckFailed(f"{origin}: document {index} is a {type(doc).__name__}, not a mapping")
    return documents


def describe(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace")
    name = meta.get("name", "?")
    return f"{obj.get('kind', '?')} {namespace + '/' if namespace else ''}{name}"


def validate_objects(objects: list[tuple[str, dict[str, Any]]], strict: bool = True) -> None:
    """kubernetes-validate every (origin, object) against each KUBE_VERSIONS schema; collect all errors."""
    problems = []
    for origin, obj in objects:
        for version in KUBE_VERSIONS:
            try:
                kubernetes_validate.validate(obj, version, strict)
            except kubernetes_validate.ValidationError as error:
                path = "/".join(str(p) for p in error.path) or "(top)"
                problems.append(f"{origin}: {describe(obj)} (k8s {version}): at {path}: {error.message}")
            except kubernetes_validate.SchemaNotFoundError as error:
                problems.append(f"{origin}: {describe(obj)} (k8s {version}): no schema: {error}")
            except kubernetes_validate.InvalidSchemaError as error:
                problems.append(f"{origin}: {describe(obj)} (k8s {version}): bad schema: {error}")
    if problems:
        raise CheckFailed("kubernetes-validate rejected:\n  " + "\n  ".join(problems))


def render(values: dict[str, Any] | None) -> dict[str, list[dict[str, Any]]]:
    """Render the chart with real Helm; returns template path -> objects (NOTES.txt kept as text)."""
    with helm.Chart.load(CHART) as chart:
        try:
            manifests = chart.render(values, name=RELEASE, namespace=RELEASE_NAMESPACE, is_install=True)
        except helm.HelmError as error:
            raise CheckFailed(f"helm render with values {values} failed: {error}") from error
    rendered: dict[str, list[dict[str, Any]]] = {}
    for path, text in manifests.items():
        if path.endswith("NOTES.txt"):
            rendered[path] = [{"__notes__": text}]
        else:
            rendered[path] = load_documents(text, path)
    return rendered


def objects_of(rendered: dict[str, list[dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    return [(path, obj) for path, docs in rendered.items() for obj in docs if "__notes__" not in obj]


def find(objects: list[tuple[str, dict[str, Any]]], kind: str) -> list[dict[str, Any]]:
    return [obj for _, obj in objects if obj.get("kind") == kind]


def the_one(objects: list[tuple[str, dict[str, Any]]], kind: str) -> dict[str, Any]:
    found = find(objects, kind)
    if len(found) != 1:
        raise CheckFailed(f"expected exactly one {kind}, rendered {len(found)}")
    return found[0]


def operator_container(objects: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    deployment = the_one(objects, "Deployment")
    containers = deployment["spec"]["template"]["spec"]["containers"]
    if len(containers) != 1:
        raise CheckFailed(f"operator Deployment has {len(containers)} containers, expected 1")
    return containers[0]


def yaml_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def config_objects() -> list[tuple[str, dict[str, Any]]]:
    """Every object under config/ except samples (custom resources: K3's tests check those) and
    the kustomization files themselves (kustomize input, not Kubernetes objects)."""
    found = []
    for path in yaml_files(CONFIG):
        relative = path.relative_to(ROOT)
        if "samples" in relative.parts or path.name in ("kustomization.yaml", "kustomization.yml"):
            continue
        for obj in load_documents(path.read_text(), str(relative)):
            found.append((str(relative), obj))
    return found


def crd_files() -> list[Path]:
    files = sorted(CRDS.glob("*.yaml"))
    if not files:
        raise CheckFailed(f"no CRDs in {CRDS.relative_to(ROOT)}/ (K3 writes crds/*.yaml); nothing to package")
    return files


def rbac_problems(origin: str, obj: dict[str, Any]) -> list[str]:
    """Why a Role/ClusterRole/binding is too broad; empty when it is least-privilege."""
    problems = []
    kind = obj.get("kind")
    where = f"{origin}: {describe(obj)}"
    if kind in ROLE_KINDS:
        if obj.get("aggregationRule"):
            problems.append(f"{where}: aggregationRule pulls in rules nobody reviewed here")
        for index, rule in enumerate(obj.get("rules") or []):
            for field in ("apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"):
                values = rule.get(field) or []
                if any("*" in str(value) for value in values):
                    problems.append(f"{where}: rules[{index}].{field} has a wildcard: {values}")
            verbs = set(rule.get("verbs") or [])
            if verbs & ESCALATING_VERBS:
                problems.append(f"{where}: rules[{index}] grants {sorted(verbs & ESCALATING_VERBS)}")
            if "secrets" in (rule.get("resources") or []) and not verbs <= {"get", "list", "watch"}:
                problems.append(f"{where}: rules[{index}] may write Secrets ({sorted(verbs)}); read-only expected")
            if rule.get("nonResourceURLs"):
                problems.append(f"{where}: rules[{index}] grants nonResourceURLs {rule['nonResourceURLs']}")
    if kind in BINDING_KINDS:
        ref = (obj.get("roleRef") or {}).get("name")
        if ref in FORBIDDEN_ROLE_REFS:
            problems.append(f"{where}: binds the built-in role {ref!r}")
        for subject in obj.get("subjects") or []:
            if subject.get("kind") == "Group" and str(subject.get("name", "")).startswith("system:"):
                problems.append(f"{where}: binds the system group {subject['name']!r}")
    return problems


def normalized_rules(role: dict[str, Any]) -> list[str]:
    """Rules as sorted canonical JSON, so two equal rule sets compare equal whatever their order."""
    return sorted(
        json.dumps({key: sorted(value) if isinstance(value, list) else value for key, value in rule.items()},
                   sort_keys=True)
        for rule in role.get("rules") or []
    )


def kustomize_build(directory: Path) -> str:
    try:
        result = subprocess.run(["kubectl", "kustomize", str(directory)], capture_output=True, text=True,
                                timeout=60)
    except FileNotFoundError as error:
        raise CheckFailed("kubectl is not installed; it is needed for `kubectl kustomize`") from error
    if result.returncode != 0:
        raise CheckFailed(f"kubectl kustomize {directory.relative_to(ROOT)} failed:\n{result.stderr.strip()}")
    return result.stdout


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with line continuations joined and comments dropped."""
    if not path.is_file():
        raise CheckFailed(f"{path.relative_to(ROOT)} is missing")
    joined, pending = [], ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        joined.append(pending + stripped)
        pending = ""
    instructions = []
    for line in joined:
        word, _, rest = line.partition(" ")
        instructions.append((word.upper(), rest.strip()))
    return instructions


# MARK: - Checks: CRDs


def check_chart_crds_equal_top_level_crds() -> None:
    """charts/athena/crds/ (and config/crd/bases/ when kustomize uses copies) equal crds/ byte for byte."""
    sources = crd_files()
    copies = [CHART / "crds"] + ([CONFIG / "crd" / "bases"] if (CONFIG / "crd" / "bases").is_dir() else [])
    problems = []
    names = {source.name for source in sources}
    for directory in copies:
        for source in sources:
            copy_path = directory / source.name
            if not copy_path.is_file():
                problems.append(f"{copy_path.relative_to(ROOT)} is missing")
            elif copy_path.read_bytes() != source.read_bytes():
                problems.append(f"{copy_path.relative_to(ROOT)} differs from {source.relative_to(ROOT)}")
        for extra in sorted(directory.glob("*.yaml")):
            if extra.name not in names:
                problems.append(f"{extra.relative_to(ROOT)} has no source in crds/")
    if problems:
        raise CheckFailed("chart CRDs out of sync (run scripts/sync-chart-crds.sh):\n  " + "\n  ".join(problems))


def check_crds_validate() -> None:
    objects = []
    for path in crd_files():
        for obj in load_documents(path.read_text(), str(path.relative_to(ROOT))):
            if obj.get("kind") != "CustomResourceDefinition":
                raise CheckFailed(f"{path.relative_to(ROOT)}: {describe(obj)} is not a CustomResourceDefinition")
            objects.append((str(path.relative_to(ROOT)), obj))
    validate_objects(objects, strict=True)
    groups = {obj["spec"].get("group") for _, obj in objects}
    kinds = {obj["spec"]["names"].get("kind") for _, obj in objects}
    if groups != {"serving.athena.dev"}:
        raise CheckFailed(f"CRDs declare groups {groups}, expected only serving.athena.dev")
    missing = {"AIApplication", "OnlineService", "BatchService"} - kinds
    if missing:
        raise CheckFailed(f"crds/ lacks the kinds {sorted(missing)}")


# MARK: - Checks: Helm


def check_helm_lint() -> None:
    for values in (None, {"watchNamespace": WATCH_NAMESPACE}):
        report = helm.lint(CHART, values, strict=True, namespace=RELEASE_NAMESPACE)
        findings = [m for m in report.get("messages", []) if m.get("severity", 0) >= 2]
        if report.get("errors") or findings:
            lines = [f"[{m.get('severity')}] {m.get('path')}: {m.get('error')}" for m in findings]
            lines += [str(e) for e in report.get("errors", [])]
            raise CheckFailed(f"helm lint (values {values}) failed:\n  " + "\n  ".join(lines))
        if report.get("total_charts_linted") != 1:
            raise CheckFailed(f"helm lint linted {report.get('total_charts_linted')} charts, expected 1")


def check_render_default_cluster_scope() -> None:
    objects = objects_of(render(None))
    validate_objects(objects)
    kinds = sorted(obj["kind"] for _, obj in objects)
    for expected in ("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
                     "Deployment", "Service", "PodDisruptionBudget"):
        if expected not in kinds:
            raise CheckFailed(f"default render lacks a {expected}; rendered {kinds}")
    deployment = the_one(objects, "Deployment")
    if deployment["spec"]["replicas"] != 2:
        raise CheckFailed(f"default replicas {deployment['spec']['replicas']}, expected 2 (leader election)")
    args = operator_container(objects)["args"]
    if "--leader-elect" not in args:
        raise CheckFailed(f"operator args lack --leader-elect: {args}")
    if any(arg.startswith("--namespace") for arg in args):
        raise CheckFailed(f"cluster-scoped install must not pass --namespace: {args}")
    for role in find(objects, "Role"):
        if role["metadata"]["namespace"] != RELEASE_NAMESPACE:
            raise CheckFailed(f"{describe(role)}: only the leader-election Role belongs in a namespace here")


def check_render_namespace_scope() -> None:
    objects = objects_of(render({"watchNamespace": WATCH_NAMESPACE}))
    validate_objects(objects)
    if find(objects, "ClusterRole") or find(objects, "ClusterRoleBinding"):
        raise CheckFailed("watchNamespace set but the chart still grants cluster-wide rights (ClusterRole)")
    manager_roles = [r for r in find(objects, "Role") if r["metadata"]["namespace"] == WATCH_NAMESPACE]
    if len(manager_roles) != 1:
        raise CheckFailed(f"expected one Role in {WATCH_NAMESPACE}, rendered {len(manager_roles)}")
    bindings = [b for b in find(objects, "RoleBinding") if b["metadata"]["namespace"] == WATCH_NAMESPACE]
    if len(bindings) != 1 or bindings[0]["roleRef"]["name"] != manager_roles[0]["metadata"]["name"]:
        raise CheckFailed(f"the Role in {WATCH_NAMESPACE} is not bound to the operator")
    subject = bindings[0]["subjects"][0]
    if subject != {"kind": "ServiceAccount", "name": the_one(objects, "ServiceAccount")["metadata"]["name"],
                   "namespace": RELEASE_NAMESPACE}:
        raise CheckFailed(f"RoleBinding subject {subject} is not the operator's ServiceAccount")
    args = operator_container(objects)["args"]
    if f"--namespace={WATCH_NAMESPACE}" not in args:
        raise CheckFailed(f"operator args lack --namespace={WATCH_NAMESPACE}: {args}")


def check_render_variants_validate() -> None:
    """Other value combinations users will set still render to valid objects."""
    variants = [
        {"replicaCount": 1, "leaderElection": {"enabled": False}, "podDisruptionBudget": {"enabled": False}},
        {"metrics": {"enabled": False}, "rbac": {"create": False},
         "serviceAccount": {"create": False, "name": "existing-sa"}},
        {"image": {"repository": "registry.example/athena-operator", "tag": "1.2.3", "pullPolicy": "Always"},
         "imagePullSecrets": [{"name": "regcred"}], "extraArgs": ["--verbose"],
         "extraEnv": [{"name": "X", "value": "1"}], "nodeSelector": {"kubernetes.io/os": "linux"},
         "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}],
         "priorityClassName": "system-cluster-critical", "logLevel": "debug"},
    ]
    for values in variants:
        objects = objects_of(render(values))
        validate_objects(objects)
        if values.get("replicaCount") == 1:
            if find(objects, "PodDisruptionBudget") or "--leader-elect" in operator_container(objects)["args"]:
                raise CheckFailed("leader election off / one replica still renders a PDB or --leader-elect")
        if values.get("rbac", {}).get("create") is False:
            if any(obj["kind"] in ROLE_KINDS | BINDING_KINDS for _, obj in objects):
                raise CheckFailed("rbac.create=false still renders RBAC objects")
            if find(objects, "ServiceAccount"):
                raise CheckFailed("serviceAccount.create=false still renders a ServiceAccount")
        if "image" in values and operator_container(objects)["image"] != "registry.example/athena-operator:1.2.3":
            raise CheckFailed(f"image values not used: {operator_container(objects)['image']}")


def check_values_schema_rejects_bad_values() -> None:
    bad_values = [
        {"replicaCount": 0},
        {"watchNamespace": "Not_A_Namespace"},
        {"image": {"repositry": "typo"}},
        {"health": {"port": 70000}},
        {"image": {"repository": "x", "pullPolicy": "Sometimes"}},
    ]
    with helm.Chart.load(CHART) as chart:
        chart.validate_schema(None)
        for values in bad_values:
            try:
                chart.validate_schema(values)
            except helm.HelmValuesError:
                continue
            raise CheckFailed(f"values.schema.json accepted bad values {values}")


def check_operator_security() -> None:
    objects = objects_of(render(None))
    pod = the_one(objects, "Deployment")["spec"]["template"]["spec"]
    container = operator_container(objects)
    security = container.get("securityContext") or {}
    pod_security = pod.get("securityContext") or {}
    expectations = {
        "container allowPrivilegeEscalation is false": security.get("allowPrivilegeEscalation") is False,
        "container readOnlyRootFilesystem is true": security.get("readOnlyRootFilesystem") is True,
        "container drops ALL capabilities": (security.get("capabilities") or {}).get("drop") == ["ALL"],
        "container adds no capabilities": not (security.get("capabilities") or {}).get("add"),
        "container is not privileged": not security.get("privileged"),
        "pod runAsNonRoot": pod_security.get("runAsNonRoot") is True,
        "pod runs as a non-zero uid": int(pod_security.get("runAsUser", 0)) > 0,
        "seccomp RuntimeDefault": (pod_security.get("seccompProfile") or {}).get("type") == "RuntimeDefault",
        "no host namespaces": not any(pod.get(k) for k in ("hostNetwork", "hostPID", "hostIPC")),
        "liveness probe on /healthz": container["livenessProbe"]["httpGet"]["path"] == "/healthz",
        "readiness probe on /readyz": container["readinessProbe"]["httpGet"]["path"] == "/readyz",
        "resource requests and limits set": bool(container.get("resources", {}).get("requests"))
        and bool(container.get("resources", {}).get("limits")),
    }
    failed = [name for name, ok in expectations.items() if not ok]
    if failed:
        raise CheckFailed("operator pod is not locked down: " + "; ".join(failed))
    service = the_one(objects, "Service")
    ports = {p["name"]: p for p in container["ports"]}
    target = service["spec"]["ports"][0]["targetPort"]
    if target not in ports:
        raise CheckFailed(f"metrics Service targets port {target!r}, the container has {sorted(ports)}")


def check_notes_explain_nodeport_call() -> None:
    notes = [obj["__notes__"] for docs in render(None).values() for obj in docs if "__notes__" in obj]
    if len(notes) != 1:
        raise CheckFailed("NOTES.txt did not render")
    for needle in ("nodePort", "/v1/private/", "curl"):
        if needle not in notes[0]:
            raise CheckFailed(f"NOTES.txt does not mention {needle!r} (how to call a service through its NodePort)")


# MARK: - Checks: RBAC


def check_rbac_least_privilege() -> None:
    candidates = []
    for values in (None, {"watchNamespace": WATCH_NAMESPACE}):
        candidates += [(f"chart[{values}] {path}", obj) for path, obj in objects_of(render(values))]
    candidates += config_objects()
    problems = [p for origin, obj in candidates for p in rbac_problems(origin, obj)]
    if not any(obj.get("kind") in ROLE_KINDS for _, obj in candidates):
        raise CheckFailed("found no Role or ClusterRole to check")
    if problems:
        raise CheckFailed("RBAC is broader than needed:\n  " + "\n  ".join(problems))


def check_rbac_checker_catches_violations() -> None:
    """The RBAC check itself must catch a wildcard, cluster-admin and writable Secrets."""
    role = {"kind": "ClusterRole", "metadata": {"name": "r"},
            "rules": [{"apiGroups": ["*"], "resources": ["secrets"], "verbs": ["get", "update"]}]}
    binding = {"kind": "ClusterRoleBinding", "metadata": {"name": "b"},
               "roleRef": {"kind": "ClusterRole", "name": "cluster-admin"}, "subjects": []}
    role_problems = rbac_problems("test", role)
    if len(role_problems) != 2 or not rbac_problems("test", binding):
        raise CheckFailed(f"RBAC checker missed violations: {role_problems}")


def check_config_rbac_matches_chart() -> None:
    chart_role = the_one(objects_of(render(None)), "ClusterRole")
    config_roles = [obj for _, obj in config_objects() if obj.get("kind") == "ClusterRole"]
    if len(config_roles) != 1:
        raise CheckFailed(f"config/rbac should hold one ClusterRole, found {len(config_roles)}")
    if normalized_rules(chart_role) != normalized_rules(config_roles[0]):
        raise CheckFailed("config/rbac/role.yaml rules differ from the chart's (templates/_helpers.tpl "
                          "athena.managerRules); keep them the same")
    chart_leader = [r for r in find(objects_of(render(None)), "Role")]
    config_leader = [obj for _, obj in config_objects() if obj.get("kind") == "Role"]
    if [normalized_rules(r) for r in chart_leader] != [normalized_rules(r) for r in config_leader]:
        raise CheckFailed("config/rbac leader-election Role differs from the chart's")


# MARK: - Checks: config/ (kustomize)


def check_config_objects_validate() -> None:
    objects = config_objects()
    if not objects:
        raise CheckFailed("config/ holds no objects")
    validate_objects(objects)


def check_kustomize_default() -> None:
    output = kustomize_build(CONFIG / "default")
    objects = [("kubectl kustomize config/default", obj) for obj in load_documents(output, "config/default")]
    validate_objects(objects)
    kinds = [obj["kind"] for _, obj in objects]
    for expected in ("CustomResourceDefinition", "Namespace", "ServiceAccount", "ClusterRole",
                     "ClusterRoleBinding", "Deployment", "Service"):
        if expected not in kinds:
            raise CheckFailed(f"config/default lacks a {expected}; it built {sorted(set(kinds))}")
    crd_names = {obj["metadata"]["name"] for _, obj in objects if obj["kind"] == "CustomResourceDefinition"}
    top_level = {obj["metadata"]["name"] for path in crd_files()
                 for obj in load_documents(path.read_text(), path.name)}
    if crd_names != top_level:
        raise CheckFailed(f"config/default CRDs {sorted(crd_names)} differ from crds/ {sorted(top_level)}")
    cluster_scoped = {"CustomResourceDefinition", "Namespace", "ClusterRole", "ClusterRoleBinding"}
    for _, obj in objects:
        if obj["kind"] not in cluster_scoped and obj["metadata"].get("namespace") != "athena-system":
            raise CheckFailed(f"{describe(obj)} is not in namespace athena-system")
    args = [c for _, obj in objects if obj["kind"] == "Deployment"
            for c in obj["spec"]["template"]["spec"]["containers"]][0]["args"]
    chart_args = operator_container(objects_of(render(None)))["args"]
    if sorted(a.split("=")[0] for a in args) != sorted(a.split("=")[0] for a in chart_args):
        raise CheckFailed(f"config/manager operator flags {args} differ from the chart's {chart_args}")


# MARK: - Checks: images, Kubefile, operator flags


def check_dockerfiles() -> None:
    for name, binary in (("operator", "athena-operator"), ("gateway", "athena-gateway")):
        path = ROOT / "docker" / f"{name}.Dockerfile"
        instructions = dockerfile_instructions(path)
        where = str(path.relative_to(ROOT))
        froms = [args for word, args in instructions if word == "FROM"]
        if len(froms) < 2:
            raise CheckFailed(f"{where}: not multi-stage ({len(froms)} FROM)")
        args = {a.split("=")[0]: a.split("=", 1)[1] for w, a in instructions if w == "ARG" and "=" in a}
        builder = froms[0].split()[0]
        builder = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), builder)
        if not re.match(r"swift:6\.\d+", builder):
            raise CheckFailed(f"{where}: builder image {builder!r} is not swift:6.x")
        body = "\n".join(f"{w} {a}" for w, a in instructions)
        if "libcurl4-openssl-dev" not in body:
            raise CheckFailed(f"{where}: builder does not install libcurl4-openssl-dev")
        final_stage = body[body.rindex("FROM "):]
        if "libcurl" not in final_stage:
            raise CheckFailed(f"{where}: runtime stage lacks the libcurl runtime")
        release = ROOT / "scripts" / "build-release.sh"
        if "scripts/build-release.sh --product" not in body or "COPY scripts/build-release.sh" not in body:
            raise CheckFailed(f"{where}: binary not built with scripts/build-release.sh (the flags the benchmarks measure)")
        if "--static-swift-stdlib" not in release.read_text():
            raise CheckFailed("scripts/build-release.sh: not --static-swift-stdlib (the runtime image has no Swift libs)")
        ignore = (path.parent / f"{path.name}.dockerignore").read_text().split()
        if "!scripts/build-release.sh" not in ignore:
            raise CheckFailed(f"{where}.dockerignore: scripts/build-release.sh is not in the build context")
        users = [a for w, a in instructions if w == "USER"]
        if not users or users[-1].split(":")[0] in ("0", "root") or not users[-1].split(":")[0].isdigit():
            raise CheckFailed(f"{where}: last USER is {users[-1:] or 'missing'}, want a numeric non-root uid")
        copies = [a for w, a in instructions[instructions.index(("FROM", froms[-1])):] if w == "COPY"]
        if len(copies) != 1 or "--from=" not in copies[0] or binary not in copies[0]:
            raise CheckFailed(f"{where}: runtime stage should copy only the {binary} binary, copies {copies}")
        entry = [a for w, a in instructions if w == "ENTRYPOINT"]
        if not entry or binary not in entry[-1]:
            raise CheckFailed(f"{where}: ENTRYPOINT does not run {binary}")


def check_kubefile_and_image_list() -> None:
    instructions = dockerfile_instructions(ROOT / "Kubefile")
    if instructions[0] != ("FROM", "scratch"):
        raise CheckFailed(f"Kubefile must start FROM scratch, starts {instructions[0]}")
    copies = [a.split() for w, a in instructions if w == "COPY"]
    if ["charts", "charts"] not in copies or ["registry", "registry"] not in copies:
        raise CheckFailed(f"Kubefile must COPY charts and registry, copies {copies}")
    commands = [a for w, a in instructions if w == "CMD"]
    if not commands or "helm upgrade --install" not in commands[-1] or "charts/athena" not in commands[-1]:
        raise CheckFailed(f"Kubefile CMD does not helm-install charts/athena: {commands}")
    with helm.Chart.load(CHART) as chart:
        values, app_version = chart.values, chart.metadata["appVersion"]
    wanted = {f"{values['image']['repository']}:{values['image']['tag'] or app_version}",
              f"{values['gateway']['image']['repository']}:{values['gateway']['image']['tag'] or app_version}"}
    listed = {line.strip() for line in (ROOT / "images/shim/athenaImages").read_text().splitlines()
              if line.strip() and not line.startswith("#")}
    if listed != wanted:
        raise CheckFailed(f"images/shim/athenaImages lists {sorted(listed)}, chart values say {sorted(wanted)}")


def check_operator_accepts_chart_flags() -> None:
    """Every flag the chart passes must be one athena-operator knows (its --help lists them)."""
    bin_dir = os.environ.get("ATHENA_BIN_DIR") or str(ROOT / ".build" / "debug")
    binary = Path(bin_dir) / "athena-operator"
    if not binary.is_file():
        raise CheckFailed(f"{binary} not found: build it first (`make build` or "
                          "`swift build --product athena-operator`), or set ATHENA_BIN_DIR")
    result = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=30)
    help_text = result.stdout + result.stderr
    known = set(re.findall(r"(--[a-z][a-z0-9-]*)", help_text))
    flags = set()
    for values in (None, {"watchNamespace": WATCH_NAMESPACE}):
        flags |= {arg.split("=")[0] for arg in operator_container(objects_of(render(values)))["args"]}
    unknown = sorted(flags - known)
    if unknown:
        raise CheckFailed(f"athena-operator --help does not list {unknown}, which the chart passes; "
                          f"its flags: {sorted(known)}")


# MARK: - Main


def main() -> int:
    checks: list[Callable[[], None]] = [
        value for name, value in globals().items() if name.startswith("check_") and callable(value)
    ]
    only = set(sys.argv[1:])
    passed = failed = 0
    for check in checks:
        if only and check.__name__ not in only:
            continue
        try:
            check()
        except CheckFailed as error:
            failed += 1
            print(f"FAIL {check.__name__}: {error}")
        except Exception:  # a crash in a check is a failure with its traceback, not a silent pass
            failed += 1
            print(f"FAIL {check.__name__}: unexpected error\n{traceback.format_exc()}")
        else:
            passed += 1
            print(f"ok   {check.__name__}")
    print(f"chart: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
