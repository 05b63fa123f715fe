# Build targets for `sam build` (BuildMethod: makefile). SAM runs `make build-<LogicalId>` with ARTIFACTS_DIR
# set; every function ships the same Native AOT `bootstrap` (provided.al2023, x86_64), and the function's
# Handler setting (_HANDLER) selects the workflow step. The binary is published once and copied, with the IANA
# time-zone database beside it (provided.al2023 has none; template.yaml points TZDIR at /var/task/zoneinfo), since
# maintenance windows are computed in their own time zones.

DOTNET ?= dotnet
RID ?= linux-x64
CONFIGURATION ?= Release
PUBLISH_DIR ?= $(CURDIR)/artifacts/lambda/publish
ZONEINFO ?= /usr/share/zoneinfo
SOURCES := $(shell find src -name '*.cs' -o -name '*.csproj' 2>/dev/null) Directory.Build.props Directory.Packages.props

FUNCTIONS := PrepareFunction ClaimFunction CheckReadinessFunction PlanFunction ApplyFunction PollFunction \
             VerifyFunction RollbackFunction FinalizeFunction RecordFailureFunction OpenWindowFunction

.PHONY: publish $(addprefix build-,$(FUNCTIONS))

publish: $(PUBLISH_DIR)/bootstrap

$(PUBLISH_DIR)/bootstrap: $(SOURCES)
	$(DOTNET) publish src/PcsOrchestrator.Functions/PcsOrchestrator.Functions.csproj \
		-c $(CONFIGURATION) -r $(RID) -p:PublishAot=true -o $(PUBLISH_DIR) --nologo
	@touch $@

$(addprefix build-,$(FUNCTIONS)): $(PUBLISH_DIR)/bootstrap
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set (sam build sets it)"; exit 2; }
	mkdir -p "$(ARTIFACTS_DIR)"
	cp $(PUBLISH_DIR)/bootstrap "$(ARTIFACTS_DIR)/bootstrap"
	chmod 755 "$(ARTIFACTS_DIR)/bootstrap"
	@test -f "$(ZONEINFO)/Europe/Berlin" || { echo "no time-zone database at $(ZONEINFO) (set ZONEINFO, or install tzdata)"; exit 2; }
	rm -rf "$(ARTIFACTS_DIR)/zoneinfo" && mkdir -p "$(ARTIFACTS_DIR)/zoneinfo"
	tar -C "$(ZONEINFO)" --exclude=./right --exclude=./posix --exclude=./localtime -chf - . | tar -C "$(ARTIFACTS_DIR)/zoneinfo" -xf -
