// KubeRuntime module. Filled in by its own files.
