package storage

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// guardedTypes are the models a person may see only through the one
// visibility rule (clientScope, entryScope): issue 10's clients, contacts,
// visits, objections, follow-ups and plans, and deals (seen with their
// client).
var guardedTypes = []string{"Client", "Contact", "Visit", "Objection", "FollowUp", "PlannedVisit", "PlanItem", "Deal"}

// viewerFree are the exported *DB methods that return a guarded model
// without taking the viewer, and why that is right. An entry that no
// longer applies fails the test too, so the list cannot outlive its
// reasons.
var viewerFree = map[string]string{
	// The follow-up dispatcher: scheduled work no person asked for.
	"ClaimFollowUps":    "the dispatcher claims due follow-ups to send them to their owners",
	"FollowUpDelivered": "the dispatcher records a follow-up sent to its owner",
	// Writes that return what they wrote, on a record the caller names
	// as its owner or author.
	"CreateFollowUp":   "stores the follow-up the caller built (the bot: the sender's own reminder) and returns it",
	"CompleteFollowUp": "changes ownerID's own follow-up (ownedFollowUp checks owner_id in the write) and returns it",
	"ReopenFollowUp":   "changes ownerID's own follow-up (ownedFollowUp checks owner_id in the write) and returns it",
	"SnoozeFollowUp":   "changes ownerID's own follow-up (ownedFollowUp checks owner_id in the write) and returns it",
	"SaveVisit":        "stores the rep's visit and returns it; the client is the one the rep's lookup found (LookupClient as the rep), not re-checked here",
	"UpdateVisit":      "stores an edit of a visit the bot read as its rep (Visit with the viewer) and returns it",
	"SaveObjection":    "stores the rep's objection and returns it; the client is the one the rep's lookup found, not re-checked here",
	"AddPlannedVisits": "stores the rep's plan lines and returns them; their clients are the ones the rep's lookup found",
}

// TestReadsTakeTheViewer fails when an exported *DB method returns a
// guarded model (directly, through a pointer, slice or map, or in a field
// of a returned struct, embedded or not) and takes no viewer: neither a
// `viewer *models.User` parameter nor a parameter whose struct carries
// `Viewer *models.User` (RecordScope, ClientFilter, VisitFilter, ...).
func TestReadsTakeTheViewer(t *testing.T) {
	storagePkg := parseDir(t, ".")
	modelsPkg := parseDir(t, filepath.Join("..", "..", "models"))
	structs := map[string]*ast.StructType{}
	collect := func(files []*ast.File, prefix string) {
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				if ts, ok := n.(*ast.TypeSpec); ok {
					if st, ok := ts.Type.(*ast.StructType); ok {
						structs[prefix+ts.Name.Name] = st
					}
				}
				return true
			})
		}
	}
	collect(storagePkg, "")
	collect(modelsPkg, "models.")
	for _, name := range guardedTypes {
		if structs["models."+name] == nil {
			t.Fatalf("models has no struct %s: guardedTypes names a type gone or renamed", name)
		}
	}

	seen := map[string]bool{}
	for _, f := range storagePkg {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() || !isPtrTo(fn.Recv.List[0].Type, "DB") || fn.Type.Results == nil {
				continue
			}
			var path string
			for _, r := range fn.Type.Results.List {
				if path = guardedIn(r.Type, "", structs, map[string]bool{}); path != "" {
					break
				}
			}
			if path == "" {
				continue
			}
			name := fn.Name.Name
			switch why, allowed := viewerFree[name]; {
			case takesViewer(fn.Type.Params, structs):
				if allowed {
					t.Errorf("%s takes the viewer now: take it off viewerFree (%q)", name, why)
				}
			case !allowed:
				t.Errorf("%s returns %s without a viewer: give it `viewer *models.User` and apply clientScope/entryScope, or say in viewerFree why it needs none", name, path)
			case strings.TrimSpace(why) == "":
				t.Errorf("viewerFree[%s] gives no reason", name)
			}
			seen[name] = true
		}
	}
	for name := range viewerFree {
		if !seen[name] {
			t.Errorf("viewerFree names %s, which returns no guarded model (gone or renamed): take it off", name)
		}
	}
}

func parseDir(t *testing.T, dir string) []*ast.File {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	return files
}

func isPtrTo(e ast.Expr, name string) bool {
	s, ok := e.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := s.X.(*ast.Ident)
	return ok && id.Name == name
}

// typeName names a type expression as structs keys it: "X" for the
// storage package's, "models.X" for models', "" for anything else.
func typeName(e ast.Expr, pkg string) string {
	switch e := e.(type) {
	case *ast.Ident:
		return pkg + e.Name
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok && x.Name == "models" {
			return "models." + e.Sel.Name
		}
	}
	return ""
}

// guardedIn says where type e (written in package pkg: "" storage,
// "models." models) holds a guarded model, as a path such as
// "SavedVisit.Client → models.Client"; "" when it holds none.
func guardedIn(e ast.Expr, pkg string, structs map[string]*ast.StructType, visiting map[string]bool) string {
	switch x := e.(type) {
	case *ast.StarExpr:
		return guardedIn(x.X, pkg, structs, visiting)
	case *ast.ArrayType:
		return guardedIn(x.Elt, pkg, structs, visiting)
	case *ast.MapType:
		if p := guardedIn(x.Key, pkg, structs, visiting); p != "" {
			return p
		}
		return guardedIn(x.Value, pkg, structs, visiting)
	case *ast.ChanType:
		return guardedIn(x.Value, pkg, structs, visiting)
	case *ast.StructType:
		return fieldsGuarded(x, pkg, structs, visiting)
	}
	name := typeName(e, pkg)
	if name == "" {
		return ""
	}
	if after, ok := strings.CutPrefix(name, "models."); ok && slices.Contains(guardedTypes, after) {
		return name
	}
	st, ok := structs[name]
	if !ok || visiting[name] {
		return ""
	}
	visiting[name] = true
	defer delete(visiting, name)
	inner := pkg
	if strings.HasPrefix(name, "models.") {
		inner = "models."
	}
	if p := fieldsGuarded(st, inner, structs, visiting); p != "" {
		return name + "." + p
	}
	return ""
}

func fieldsGuarded(st *ast.StructType, pkg string, structs map[string]*ast.StructType, visiting map[string]bool) string {
	for _, f := range st.Fields.List {
		p := guardedIn(f.Type, pkg, structs, visiting)
		if p == "" {
			continue
		}
		field := "(embedded)"
		if len(f.Names) > 0 {
			field = f.Names[0].Name
		}
		return field + " → " + p
	}
	return ""
}

// takesViewer is whether params hold `viewer *models.User`, or a
// parameter (or pointer to one) of a storage struct with a field
// `Viewer *models.User`.
func takesViewer(params *ast.FieldList, structs map[string]*ast.StructType) bool {
	for _, p := range params.List {
		if isUser(p.Type) {
			for _, n := range p.Names {
				if n.Name == "viewer" {
					return true
				}
			}
		}
		t := p.Type
		if s, ok := t.(*ast.StarExpr); ok {
			t = s.X
		}
		id, ok := t.(*ast.Ident)
		if !ok {
			continue
		}
		st, ok := structs[id.Name]
		if !ok {
			continue
		}
		for _, f := range st.Fields.List {
			if isUser(f.Type) && len(f.Names) == 1 && f.Names[0].Name == "Viewer" {
				return true
			}
		}
	}
	return false
}

func isUser(e ast.Expr) bool {
	s, ok := e.(*ast.StarExpr)
	return ok && typeName(s.X, "") == "models.User"
}
