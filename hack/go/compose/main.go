// compose-config loads Compose files with compose-go, the loader `docker compose` itself uses, so
// that the tests of `lasuitectl compose` check generated files against the reference
// implementation without a Docker engine.
//
//	compose-config project --project-directory DIR [--env-file FILE]... [--project-name NAME] -f FILE [-f FILE]...
//	compose-config schema FILE...
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/schema"
	"github.com/sirupsen/logrus"
	"go.yaml.in/yaml/v4"
)

const usage = `usage:
  compose-config project --project-directory DIR [--env-file FILE]... [--project-name NAME] -f FILE [-f FILE]...
  compose-config schema FILE...`

type repeated []string

func (r *repeated) String() string { return strings.Join(*r, ",") }
func (r *repeated) Set(value string) error {
	*r = append(*r, value)
	return nil
}

// plainWarnings writes compose-go's log lines as "warning: message", one per line, so that a
// caller can tell them apart from an error and report them (an unset variable becomes a blank
// string with only a warning).
type plainWarnings struct{}

func (plainWarnings) Format(entry *logrus.Entry) ([]byte, error) {
	return []byte(entry.Level.String() + ": " + strings.ReplaceAll(entry.Message, "\n", " ") + "\n"), nil
}

func main() {
	logrus.SetFormatter(plainWarnings{})
	if len(os.Args) < 2 {
		fail(errors.New(usage))
	}
	var err error
	switch os.Args[1] {
	case "project":
		err = project(os.Args[2:])
	case "schema":
		err = validateSchema(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q\n%s", os.Args[1], usage)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

// project follows `docker compose config --format json`: the ProjectOptions its config command
// and its loader (docker/compose pkg/compose/loader.go) build, then the same post-processing,
// except that only the env files feed interpolation, never this process's environment, so that
// a result depends on the files alone.
func project(args []string) error {
	flags := flag.NewFlagSet("project", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	var files, envFiles repeated
	projectDirectory := flags.String("project-directory", "", "")
	projectName := flags.String("project-name", "", "")
	flags.Var(&files, "f", "")
	flags.Var(&envFiles, "env-file", "")
	if err := flags.Parse(args); err != nil {
		return fmt.Errorf("%w\n%s", err, usage)
	}
	if flags.NArg() > 0 || len(files) == 0 || *projectDirectory == "" {
		return errors.New(usage)
	}
	directory, err := filepath.Abs(*projectDirectory)
	if err != nil {
		return err
	}
	if len(envFiles) == 0 {
		// docker compose reads <project directory>/.env when no --env-file is given; compose-go's
		// WithEnvFiles() would also consult COMPOSE_DISABLE_ENV_FILE in the process environment.
		defaultEnv := filepath.Join(directory, ".env")
		if info, err := os.Stat(defaultEnv); err == nil && info.Mode().IsRegular() {
			envFiles = append(envFiles, defaultEnv)
		}
	}
	for i, file := range envFiles {
		if envFiles[i], err = filepath.Abs(file); err != nil {
			return err
		}
	}

	options := []cli.ProjectOptionsFn{
		cli.WithInterpolation(true),
		cli.WithResolvedPaths(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithDiscardEnvFile,
		cli.WithWorkingDirectory(directory),
	}
	if len(envFiles) > 0 {
		options = append(options, cli.WithEnvFiles(envFiles...))
	}
	options = append(options,
		cli.WithDotEnv,
		// COMPOSE_PROFILES, if an env file sets it.
		cli.WithDefaultProfiles(),
		cli.WithName(*projectName),
	)
	projectOptions, err := cli.NewProjectOptions(files, options...)
	if err != nil {
		return err
	}
	loaded, err := projectOptions.LoadProject(context.Background())
	if err != nil {
		return err
	}
	if loaded.Name == "" {
		return errors.New("project name can't be empty: set --project-name or a top-level name")
	}
	// docker compose's post-processing without service selection or --all-resources.
	loaded = loaded.WithoutUnnecessaryResources()
	if loaded, err = loaded.WithServicesEnvironmentResolved(true); err != nil {
		return err
	}
	if err := loaded.CheckContainerNameUnicity(); err != nil {
		return err
	}
	out, err := loaded.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(append(out, '\n'))
	return err
}

// validateSchema checks each file as written, before interpolation, merging and defaults, so
// that a generated file is valid on its own and not only once compose-go has transformed it.
func validateSchema(files []string) error {
	if len(files) == 0 {
		return errors.New(usage)
	}
	var failures []string
	for _, file := range files {
		if err := validateFile(file); err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", file, err))
			continue
		}
		fmt.Printf("%s: ok\n", file)
	}
	if len(failures) > 0 {
		return errors.New(strings.Join(failures, "\n"))
	}
	return nil
}

func validateFile(file string) error {
	content, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	decoder := yaml.NewDecoder(bytes.NewReader(content))
	for document := 0; ; document++ {
		var raw any
		err := decoder.Decode(&raw)
		if errors.Is(err, io.EOF) {
			if document == 0 {
				return errors.New("empty compose file")
			}
			return nil
		}
		if err != nil {
			return err
		}
		converted, err := stringKeys(raw, "")
		if err != nil {
			return err
		}
		model, ok := converted.(map[string]any)
		if !ok {
			return errors.New("top-level object must be a mapping")
		}
		if err := schema.Validate(model); err != nil {
			if document > 0 {
				return fmt.Errorf("document %d: %w", document+1, err)
			}
			return err
		}
	}
}

// stringKeys turns YAML mappings into JSON objects, as the loader does before validating, and
// refuses a non-string key with its path.
func stringKeys(value any, path string) (any, error) {
	at := func(key string) string {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	switch value := value.(type) {
	case map[string]any:
		for key, entry := range value {
			converted, err := stringKeys(entry, at(key))
			if err != nil {
				return nil, err
			}
			value[key] = converted
		}
		return value, nil
	case map[any]any:
		object := make(map[string]any, len(value))
		for key, entry := range value {
			name, ok := key.(string)
			if !ok {
				if path == "" {
					return nil, fmt.Errorf("non-string key at top level: %#v", key)
				}
				return nil, fmt.Errorf("non-string key in %s: %#v", path, key)
			}
			converted, err := stringKeys(entry, at(name))
			if err != nil {
				return nil, err
			}
			object[name] = converted
		}
		return object, nil
	case []any:
		for index, entry := range value {
			converted, err := stringKeys(entry, fmt.Sprintf("%s[%d]", path, index))
			if err != nil {
				return nil, err
			}
			value[index] = converted
		}
		return value, nil
	}
	return value, nil
}
