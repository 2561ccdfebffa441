// `flows --graph svg`: the DOT text drawn by Graphviz itself, compiled to WebAssembly
// (@viz-js/viz: one self-contained package, no browser, no native binary, no dependencies).
// It is imported only here, when an SVG is asked for: every other run of ctflow never loads its
// ~1.2 MB. The specifier is a variable so the bundle leaves the import to node at run time.
// Test hook: CTFLOW_VIZ_MODULE names another module to import instead (read here and nowhere
// else), so a test can make the package absent on a checkout where it is installed.

import { CtflowError } from '../errors.js';

interface Viz {
  renderString(input: string, options: { format: 'svg'; engine?: string }): string;
}

const VIZ_PACKAGE = '@viz-js/viz';

export async function renderSvg(dot: string): Promise<string> {
  let viz: Viz;
  try {
    const mod = (await import(process.env.CTFLOW_VIZ_MODULE ?? VIZ_PACKAGE)) as { instance: () => Promise<Viz> };
    viz = await mod.instance();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND') {
      throw new CtflowError(`ctflow: --graph svg: needs the ${VIZ_PACKAGE} package (npm install ${VIZ_PACKAGE}), got none installed`, { code: 'ENOVIZ' });
    }
    throw err;
  }
  return viz.renderString(dot, { format: 'svg', engine: 'dot' });
}
