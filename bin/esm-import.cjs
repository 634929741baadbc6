// import() for the bundle. A script that V8 restored from a code cache cannot run import() under Node 20
// (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING; bin/load-bundle.js); a CommonJS module that Node compiles itself can.
// oclif needs it for a plugin written as ES modules (@oclif/plugin-autocomplete): scripts/bundle.js routes there.
module.exports = (specifier) => import(specifier)
