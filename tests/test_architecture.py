"""The rooms of src/kekiz and their rules, as docs/architecture.md states them.

Each rule is a function that reads the tree and returns its violations; every rule is
also shown to fail on a deliberately wrong tree (``test_each_rule_catches_a_violation``),
and the rule list of the architecture page must equal :data:`RULES` (the page and the
test cannot drift apart).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "kekiz"
PAGE = REPO / "docs" / "architecture.md"

#: room -> the rooms it may import (besides itself).  A room is a package under
#: src/kekiz or one of the top-level modules app, settings, docgen, __main__.
BASE = {"domain", "i18n"}
COMPUTING = BASE | {"analysis", "privacy", "storage.protocol"}
MAY_IMPORT: dict[str, set[str]] = {
    "domain": set(),
    "i18n": set(),
    "settings": {"domain"},
    "ingest": BASE,
    "storage": {"domain"},
    "analysis": BASE,
    "privacy": BASE | {"analysis", "storage.protocol"},
    "prevention": COMPUTING,
    "goals": COMPUTING,
    "network": COMPUTING,
    "records": COMPUTING,
    "reporting": COMPUTING,
    "services": BASE | {"settings", "ingest", "storage", "analysis", "privacy", "prevention",
                        "goals", "network", "records", "reporting"},
    "app": {"domain", "settings", "storage", "privacy", "services"},
    "web": BASE | {"settings", "app", "services"},
    "cli": BASE | {"settings", "app", "services", "demo"},
    "demo": BASE | {"settings", "app", "services", "ingest", "prevention", "records", "goals"},
    "docgen": {"domain", "settings", "app", "cli", "web"},
    "__main__": {"cli"},
}
#: rooms whose modules may import kekiz modules inside functions (start-up time: the
#: application object builds services on first use, commands load when they run, the
#: store loads its directory, cooperation and writer parts when they are used)
LAZY_IMPORTS = {"app", "cli", "docgen", "demo", "storage"}
#: who may import the demo: the demo command only (and the tests)
DEMO_USERS = {"cli/data_cmd.py"}
MAX_MODULE_LINES = 700
MAX_FUNCTION_LINES = 80


@dataclass(frozen=True)
class Imp:
    module: str  # the importing file, relative to the package root
    target: str  # the imported module, without "kekiz."
    line: int
    in_function: bool


def room_of(rel: str) -> str:
    """The room of a file (``services/chain.py`` -> ``services``)."""
    first = rel.split("/")[0]
    return first.removesuffix(".py")


def target_room(target: str) -> str:
    if target == "storage.protocol" or target.startswith("storage.protocol."):
        return "storage.protocol"
    if target.startswith("__"):  # the package itself: from kekiz import __version__
        return "__init__"
    return target.split(".")[0]


def imports_of(root: Path) -> list[Imp]:
    out: list[Imp] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if "/migrations/" in f"/{rel}":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree)
                     if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        inner = {id(s) for f in functions for s in ast.walk(f)}
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
                if node.module == "kekiz":
                    names = [f"kekiz.{a.name}" for a in node.names]
            for name in names:
                if name.startswith("kekiz."):
                    out.append(Imp(rel, name[len("kekiz."):], node.lineno,
                                   id(node) in inner))
    return out


# -- the rules -----------------------------------------------------------------------------
def rule_rooms(root: Path) -> list[str]:
    """Each room imports only the rooms DESIGN.md allows it (TYPE_CHECKING imports too)."""
    bad = []
    for imp in imports_of(root):
        src, dst = room_of(imp.module), target_room(imp.target)
        if dst.split(".")[0] == src or dst == "__init__" or src not in MAY_IMPORT:
            continue
        allowed = MAY_IMPORT[src]
        if dst == "storage.protocol" and "storage" in allowed:
            continue
        if dst not in allowed:
            bad.append(f"{imp.module}:{imp.line} ({src}) imports kekiz.{imp.target}")
    return bad


def rule_known_rooms(root: Path) -> list[str]:
    """Every file belongs to a room with rules (a new room must be given its rules)."""
    rooms = {room_of(p.relative_to(root).as_posix()) for p in root.rglob("*.py")}
    return [f"room '{r}' has no rules" for r in sorted(rooms - set(MAY_IMPORT) - {"__init__"})]


def rule_demo(root: Path) -> list[str]:
    """Nothing imports the demo but the demo command."""
    return [f"{i.module}:{i.line} imports kekiz.{i.target}" for i in imports_of(root)
            if target_room(i.target) == "demo" and room_of(i.module) != "demo"
            and i.module not in DEMO_USERS]


def rule_no_circles(root: Path) -> list[str]:
    """No import circles between rooms."""
    graph: dict[str, set[str]] = {}
    for imp in imports_of(root):
        src, dst = room_of(imp.module), target_room(imp.target).split(".")[0]
        if src != dst:
            graph.setdefault(src, set()).add(dst)
    bad: list[str] = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt):], nxt] if nxt in path else [node, nxt]
                bad.append(" -> ".join(cycle))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return bad


def rule_lazy_imports(root: Path) -> list[str]:
    """Imports of kekiz modules inside functions only where start-up time asks for them."""
    return [f"{i.module}:{i.line} imports kekiz.{i.target} inside a function"
            for i in imports_of(root)
            if i.in_function and room_of(i.module) not in LAZY_IMPORTS]


def rule_module_size(root: Path) -> list[str]:
    """No module over 700 lines (migrations aside)."""
    bad = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_MODULE_LINES and "/migrations/" not in f"/{rel}":
            bad.append(f"{rel}: {n} lines")
    return bad


def rule_function_size(root: Path) -> list[str]:
    """No function over 80 lines (migrations aside)."""
    bad = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if "/migrations/" in f"/{rel}":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    bad.append(f"{rel}:{node.lineno} {node.name}: {n} lines")
    return bad


def rule_no_mixins(root: Path) -> list[str]:
    """Services are composed, not mixed: no base classes, no mixin stubs under TYPE_CHECKING."""
    bad = []
    for path in sorted((root / "services").rglob("*.py")) if (root / "services").is_dir() \
            else []:
        rel = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                if node.name.endswith("Service") and node.bases:
                    bad.append(f"{rel}: class {node.name} has base classes")
                for item in node.body:
                    if isinstance(item, ast.If) and "TYPE_CHECKING" in ast.unparse(item.test):
                        bad.append(f"{rel}: class {node.name} declares a mixin stub")
    return bad


def rule_one_gate(root: Path) -> list[str]:
    """Only privacy/publish.py withholds values (rows, value columns, internal columns)."""
    rows = re.compile(r"""\w+\[\s*\w+\[["']status["']\]\s*!=\s*["']suppressed["']\s*\]""")
    masks = re.compile(r"""\.where\(\s*~?\s*\w*(hidden|suppressed)""")
    internal = re.compile(r"""["']params["'],\s*["']user["'],\s*["']user_name["']""")
    bad = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if room_of(rel) in {"privacy", "records", "analysis"}:
            continue  # disclosure control itself makes and publishes the suppressions
        text = path.read_text(encoding="utf-8")
        for pattern in (rows, masks, internal):
            for m in pattern.finditer(text):
                line = text[:m.start()].count("\n") + 1
                bad.append(f"{rel}:{line}: {text.splitlines()[line - 1].strip()}")
    return bad


#: Touching the store's connections: only ``kekiz.storage`` may (issue #16).
CONNECTION = re.compile(r"\._connect\b|\.engine\b|\btx\.conn\b|\._conn\b|\._db\b|"
                        r"^\s*(from|import) (sqlalchemy|alembic|sqlite3|psycopg)\b", re.M)


def rule_connections(root: Path) -> list[str]:
    """Only the storage room touches database connections (or imports a database driver)."""
    bad = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if room_of(rel) == "storage":
            continue
        for match in CONNECTION.finditer(path.read_text(encoding="utf-8")):
            bad.append(f"{rel}: {match.group(0).strip()}")
    return bad


@dataclass(frozen=True)
class Rule:
    name: str
    check: Callable[[Path], list[str]]

    @property
    def text(self) -> str:
        return (self.check.__doc__ or "").strip().split("\n")[0]


RULES = [Rule("rooms", rule_rooms), Rule("known rooms", rule_known_rooms),
         Rule("demo", rule_demo), Rule("no circles", rule_no_circles),
         Rule("lazy imports", rule_lazy_imports), Rule("module size", rule_module_size),
         Rule("function size", rule_function_size), Rule("no mixins", rule_no_mixins),
         Rule("one gate", rule_one_gate), Rule("connections", rule_connections)]


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_rule_holds(rule: Rule) -> None:
    bad = rule.check(SRC)
    assert not bad, f"{rule.text}\n" + "\n".join(bad[:40])


# -- the rules can fail --------------------------------------------------------------------
WRONG: dict[str, dict[str, str]] = {
    "rooms": {"storage/x.py": "from kekiz.services.chain import ChainService\n"},
    "known rooms": {"newroom/x.py": "X = 1\n"},
    "demo": {"web/x.py": "from kekiz.demo import build_demo\n"},
    "no circles": {"ingest/x.py": "import kekiz.services.data\n",
                   "services/y.py": "import kekiz.ingest.x\n"},
    "lazy imports": {"services/x.py": "def f():\n    from kekiz.ingest import tables\n"},
    "module size": {"analysis/x.py": "X = 1\n" * 701},
    "function size": {"analysis/x.py": "def f():\n" + "    x = 1\n" * 80},
    "no mixins": {"services/x.py": "class ChainService(Base):\n    pass\n"},
    "one gate": {"web/x.py": 'out = frame[frame["status"] != "suppressed"]\n'},
    "connections": {"services/x.py": "with store._connect() as c:\n    pass\n"},
}


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_each_rule_catches_a_violation(rule: Rule, tmp_path: Path) -> None:
    files = WRONG[rule.name]
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert rule.check(tmp_path), f"rule '{rule.name}' did not catch {sorted(files)}"


def test_a_wrong_import_in_the_real_tree_fails(tmp_path: Path) -> None:
    """A copy of src/kekiz with one deliberately wrong import breaks the room rule."""
    import shutil

    copy = tmp_path / "kekiz"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "data"))
    target = copy / "storage" / "protocol.py"
    target.write_text(target.read_text(encoding="utf-8")
                      + "\nfrom kekiz.web.app import create_app  # wrong on purpose\n",
                      encoding="utf-8")
    assert any("storage/protocol.py" in v and "kekiz.web.app" in v for v in rule_rooms(copy))


# -- the page states the same rules --------------------------------------------------------
def test_architecture_page_lists_the_rules() -> None:
    text = PAGE.read_text(encoding="utf-8")
    block = re.search(r"<!-- rules -->\n(.*?)\n<!-- /rules -->", text, re.S)
    assert block, "docs/architecture.md has no <!-- rules --> block"
    listed = [line[2:].strip() for line in block.group(1).splitlines()
              if line.startswith("- ")]
    assert listed == [f"**{r.name}**: {r.text}" for r in RULES]


def test_architecture_page_lists_the_rooms_and_their_imports() -> None:
    text = PAGE.read_text(encoding="utf-8")
    block = re.search(r"<!-- rooms -->\n(.*?)\n<!-- /rooms -->", text, re.S)
    assert block, "docs/architecture.md has no <!-- rooms --> block"
    rows = {}
    for line in block.group(1).splitlines():
        cells = [c.strip().strip("`") for c in line.strip("|").split("|")]
        if len(cells) == 2 and cells[0] not in ("room", "---", ""):
            rows[cells[0]] = {c.strip().strip("`") for c in cells[1].split(",")
                              if c.strip() and c.strip() != "–"}
    assert rows == MAY_IMPORT
