package bot

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// keyShape is what a catalogue key looks like.
var keyShape = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-zA-Z0-9]+)+$`)

// keyFuncs take a catalogue key as their first string argument:
// r.t / r.say / cat.T / cat.Has and models.Errorf.
var keyFuncs = map[string]bool{"t": true, "say": true, "T": true, "Has": true, "Errorf": true}

// codeKeys lists the catalogue keys written as literals in the Go files of
// dirs (relative to this package): arguments of keyFuncs, Key/key fields
// and variables named key or *Key, and the values of maps named *Keys.
func codeKeys(t *testing.T, dirs ...string) map[string]string {
	t.Helper()
	keys := map[string]string{} // key → where
	fset := token.NewFileSet()
	add := func(e ast.Expr) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil || !keyShape.MatchString(s) {
			return
		}
		if _, seen := keys[s]; !seen {
			keys[s] = fset.Position(lit.Pos()).String()
		}
	}
	keyName := func(e ast.Expr) bool {
		id, ok := e.(*ast.Ident)
		return ok && (id.Name == "key" || id.Name == "Key" || strings.HasSuffix(id.Name, "Key"))
	}
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					var fn string
					switch f := n.Fun.(type) {
					case *ast.SelectorExpr:
						if x, ok := f.X.(*ast.Ident); ok && x.Name == "fmt" {
							return true
						}
						fn = f.Sel.Name
					case *ast.Ident:
						fn = f.Name
					}
					if !keyFuncs[fn] {
						return true
					}
					for _, a := range n.Args {
						if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
							add(lit)
							break
						}
					}
				case *ast.KeyValueExpr:
					if keyName(n.Key) {
						add(n.Value)
					}
				case *ast.AssignStmt:
					for i, l := range n.Lhs {
						if keyName(l) && i < len(n.Rhs) {
							add(n.Rhs[i])
						}
					}
				case *ast.ValueSpec:
					for i, id := range n.Names {
						if strings.HasSuffix(id.Name, "Keys") && i < len(n.Values) {
							ast.Inspect(n.Values[i], func(m ast.Node) bool {
								if kv, ok := m.(*ast.KeyValueExpr); ok {
									add(kv.Value)
								}
								return true
							})
						}
					}
				}
				return true
			})
		}
	}
	return keys
}

// Every key code can ask for exists in every language: the literal keys in
// the code, the keys of the value tables (keys.go) and each command's help
// line. A key missing in one language fails here, not in a user's chat.
func TestCatalogueHasEveryKeyCodeAsksFor(t *testing.T) {
	c, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	keys := codeKeys(t, ".", "../models", "../internal/storage", "../internal/reports", "../internal/quick")
	if len(keys) < 300 {
		t.Fatalf("found only %d literal keys; the scan is broken", len(keys))
	}
	for _, k := range tableKeys {
		keys[k] = "a table in keys.go"
	}
	for _, cmd := range (&Bot{}).commandTable() {
		keys[cmd.helpKey()] = "commandTable: /" + cmd.name
		keys[cmd.groupKey()] = "commandTable: /" + cmd.name + "'s group"
	}
	var missing []string
	for k, where := range keys {
		for _, lang := range c.Languages() {
			if !c.Has(lang, k) {
				missing = append(missing, lang+":"+k+" ("+where+")")
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("keys code asks for but the catalogue lacks:\n%s", strings.Join(missing, "\n"))
	}
}
