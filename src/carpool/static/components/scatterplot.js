// scatterplot: see nativeplot.js (the front end loads a module per component type).
export { create } from "./nativeplot.js";
