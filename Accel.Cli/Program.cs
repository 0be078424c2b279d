// The `accel` command-line tool. All the work happens in AccelCli so tests can run it in-process.
return Accel.Cli.AccelCli.Run(args, Console.Out, Console.Error);
