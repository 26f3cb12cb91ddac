// The console's entry point (kept at this address for older links and checks): the code lives in
// the ES modules under /static/js/, wired by main.js. See docs/console.md ("Where to find what").
import "./js/main.js";
