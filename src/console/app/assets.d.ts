/** Stylesheets are bundled by esbuild; importing one only adds it to the page's stylesheet. */
declare module '*.css';
