// AthenaControllers module. Filled in by its own files.
