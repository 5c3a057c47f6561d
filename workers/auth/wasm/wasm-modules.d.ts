/** `.wasm` files imported by Worker code are compiled at upload and arrive as modules (wrangler's CompiledWasm rule). */
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
