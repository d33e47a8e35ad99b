# What `sam build` runs for each function (template.yaml: Metadata BuildMethod makefile), with ARTIFACTS_DIR set.
# Only a JDK and Maven are needed: no test is compiled or run, no test tooling, no Node or cfn-lint; the tests run
# with `mvn verify` (TESTING.md). The artifact is the layout the java runtimes load: classes at the root, jars in lib/.
MVN ?= mvn

build-StartBackupJobFunction build-SelectBackupResourcesFunction build-CopyBackupsFunction build-TrackBackupRunsFunction:
	$(MVN) -B -q -DskipTests -Dmaven.test.skip=true clean package dependency:copy-dependencies \
		-DincludeScope=runtime -DoutputDirectory=target/lib
	mkdir -p "$(ARTIFACTS_DIR)/lib"
	cp -R target/classes/. "$(ARTIFACTS_DIR)/"
	cp target/lib/*.jar "$(ARTIFACTS_DIR)/lib/"
	# The AspectJ compiler leaves its argument file among the classes; the function never reads it.
	rm -f "$(ARTIFACTS_DIR)/builddef.lst"

.PHONY: build-StartBackupJobFunction build-SelectBackupResourcesFunction build-CopyBackupsFunction build-TrackBackupRunsFunction
