import AthenaCLI

// `athena serve` runs the gateway in this process: tune it before anything starts a task.
LocalModeProcess.prepare()

await AthenaCommand.runAsMain()
