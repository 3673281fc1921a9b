import AthenaCLI

await AthenaCommand.runAsMain()
