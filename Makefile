# The two commands a newcomer needs: `make audit` and `make test` (see README).
SHELL := /bin/bash
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
COLLECTION_LINK := .collections/ansible_collections/dockersec/hardening
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.collections
export PATH := $(BIN):$(PATH)

# Root audits with become; a user without password-less sudo still gets an audit (the
# controls it cannot read come out as `error`, with the reason).
BECOME := $(shell if [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then echo true; else echo false; fi)

.PHONY: audit test unit build build-tarball galaxy-import changelog lint sanity molecule installed testbed venv venv-dev link docs clean

audit: venv link  ## Audit this machine, read-only, and write ./dockersec-reports
	ansible-playbook playbooks/audit.yml --check -e dockersec_become=$(BECOME) -e dockersec_report_dir=$(CURDIR)/dockersec-reports $(AUDIT_ARGS)

test: venv-dev link unit prometheus-test build galaxy-import lint sanity testbed molecule installed ee bench-smoke  ## The whole test suite (what .ci/run calls)

venv:
	@scripts/venv.sh runtime

venv-dev:
	@scripts/venv.sh dev

link:
	@mkdir -p $(dir $(COLLECTION_LINK))
	@ln -sfn ../../.. $(COLLECTION_LINK)

unit: venv-dev link
	$(BIN)/pytest -q -p no:cacheprovider tests/unit tests/browser

build: venv-dev  ## ansible-galaxy build + install into a scratch path, then ansible-doc the plugins
	scripts/check-build.sh

# ansible-lint installs the collection it lints into $ANSIBLE_HOME/collections: a scratch one, never
# ~/.ansible/collections, where a user's `ansible-galaxy collection install` of the tarball goes.
lint: venv-dev link  ## ansible-lint, production profile, whole collection (.ansible-lint)
	@home=$$(mktemp -d) && trap 'rm -rf "$$home"' EXIT && ANSIBLE_HOME=$$home $(BIN)/ansible-lint

sanity: venv-dev  ## ansible-test sanity on the tracked files
	scripts/sanity.sh

testbed:  ## Docker engine running + local images built (skips what exists)
	scripts/testbed.sh

molecule: venv-dev link testbed
	cd $(CURDIR) && $(BIN)/molecule test --all

# The tarball installed into a clean virtualenv (ansible-core only) and both playbooks run by
# FQCN over SSH, with no ansible.cfg, against stock bookworm and trixie hosts.
installed: venv-dev testbed  ## The installed-collection test (scripts/installed-test.sh)
	scripts/installed-test.sh

# Galaxy's importer on the built tarball, in its own virtualenv (.venv-importer; galaxy-importer.cfg).
galaxy-import:  ## galaxy-importer on the tarball: fails on any ERROR
	scripts/galaxy-import.sh

# CHANGELOG.md from changelogs/fragments (antsibull-changelog; `antsibull-changelog release` cuts a version).
changelog: venv-dev link  ## lint the changelog fragments and regenerate CHANGELOG.md
	$(BIN)/antsibull-changelog lint
	$(BIN)/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
	$(BIN)/antsibull-changelog generate

# The execution environment: execution-environment.yml built with ansible-builder on a local Debian
# base (no registry here), then the audit run inside it through ansible-runner's container
# isolation over SSH, the way AWX runs a job; the set_stats artifacts are read back.
.PHONY: ee
ee: venv-dev testbed  ## The EE test (scripts/ee-test.sh); skips the image builds when their inputs are unchanged
	scripts/ee-test.sh

build-tarball: venv  ## The collection tarball (for ansible-builder / Galaxy)
	$(BIN)/ansible-galaxy collection build --force .

clean:
	rm -rf .collections .venv-importer dockersec-reports *.tar.gz

docs: venv link  ## Regenerate docs/controls.md, docs/options.md and roles/*/README.md from the catalog and argument specs
	$(BIN)/python tools/gen_docs.py

# The speed and scale benchmark (issue 6; benchmarks/README.md): starts and removes its own
# containers (label dockersec.bench=1) on this machine's engine. Needs root, like `make test`.
# Extra options: make bench BENCH_ARGS="--sizes 0,50 --no-fleet"
.PHONY: bench bench-smoke
bench: venv-dev link testbed  ## The full benchmark: N = 0,50,200,500 containers, fleets of 1,4,8 Docker hosts
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

bench-smoke: venv-dev link testbed  ## The benchmark with small sizes, once (CI: it works; not a timed test)
	$(BIN)/python benchmarks/run.py --sizes 0,10 --fleet 1 --repeat 1 $(BENCH_ARGS)

# The Prometheus report and alert rules (issue 13; README "Monitoring"): promtool check metrics on
# the rendered files, promtool test rules on series from two audits. Installs promtool if missing.
.PHONY: prometheus-test
prometheus-test: venv-dev link  ## promtool check metrics + check rules + test rules
	scripts/prometheus-test.sh
