// (c) of the m3m route benchmark: gin + goja, the usual Go way to serve JS handlers.
//
// One route, GET /hello, runs the JS handler `function () { return {ok: true}; }` per
// request and answers its JSON. Runtimes are reused through a sync.Pool (creating a goja
// runtime per request would be unfair to goja); each pooled runtime has the handler and
// JSON.stringify already looked up.
//
// Debian 12's goja (git 2017-04-30) is ES5.1 only: no arrow functions, hence the
// `function` expression instead of `() => ({ok:true})`; it is the same work.
//
// Built twice by bench/run.sh: offline against Debian's Go packages (gin 1.8, goja 2017)
//   GO111MODULE=off GOPATH=/usr/share/gocode:$TMP go build -o gin_goja main.go
// and in module mode with the current versions pinned in go.mod/go.sum (Go module proxy)
//   go build -o gin_goja_mod .
// Run: gin_goja PORT
package main

import (
	"fmt"
	"net/http"
	"os"
	"sync"

	"github.com/dop251/goja"
	"github.com/gin-gonic/gin"
)

const handlerSource = `(function () { return {ok: true}; })`

type jsVM struct {
	rt        *goja.Runtime
	handler   goja.Callable
	stringify goja.Callable
	json      goja.Value
}

func newVM() *jsVM {
	rt := goja.New()
	v, err := rt.RunString(handlerSource)
	if err != nil {
		panic(err)
	}
	handler, ok := goja.AssertFunction(v)
	if !ok {
		panic("handler is not a function")
	}
	json := rt.Get("JSON")
	stringify, ok := goja.AssertFunction(json.ToObject(rt).Get("stringify"))
	if !ok {
		panic("JSON.stringify is not a function")
	}
	return &jsVM{rt: rt, handler: handler, stringify: stringify, json: json}
}

var pool = sync.Pool{New: func() interface{} { return newVM() }}

func hello(c *gin.Context) {
	vm := pool.Get().(*jsVM)
	defer pool.Put(vm)
	res, err := vm.handler(goja.Undefined())
	if err != nil {
		c.JSON(http.StatusInternalServerError, gin.H{"error": err.Error()})
		return
	}
	s, err := vm.stringify(vm.json, res)
	if err != nil {
		c.JSON(http.StatusInternalServerError, gin.H{"error": err.Error()})
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", []byte(s.String()))
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gin_goja PORT")
		os.Exit(2)
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New() // no request logger: compare with m3m at logging.level=warn
	r.Use(gin.Recovery())
	r.GET("/hello", hello)
	addr := "127.0.0.1:" + os.Args[1]
	fmt.Println("gin+goja listening on http://" + addr)
	if err := r.Run(addr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
