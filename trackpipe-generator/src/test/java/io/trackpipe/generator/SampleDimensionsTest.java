package io.trackpipe.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackpipe.dimension.Company;
import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.dimension.Publisher;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SampleDimensionsTest {

  @Test
  void sameSeedGivesSameRows() {
    assertThat(SampleDimensions.generate(7)).isEqualTo(SampleDimensions.generate(7));
    assertThat(SampleDimensions.generate(7).jobs()).isNotEqualTo(SampleDimensions.generate(8).jobs());
  }

  @Test
  void defaultSizesAreTheDocumentedOnes() {
    Dimensions dimensions = SampleDimensions.generate(1);

    assertThat(dimensions.companies()).hasSize(SampleDimensions.DEFAULT_COMPANIES).hasSize(50);
    assertThat(dimensions.jobs()).hasSize(SampleDimensions.DEFAULT_JOBS).hasSize(500);
    assertThat(dimensions.publishers()).hasSize(SampleDimensions.DEFAULT_PUBLISHERS).hasSize(20);
  }

  @Test
  void idsAreDenseAndStartAtOne() {
    Dimensions dimensions = SampleDimensions.generate(3, 10, 120, 25);

    assertThat(dimensions.companies()).extracting(Company::id).containsExactlyElementsOf(range(10));
    assertThat(dimensions.jobs()).extracting(Job::id).containsExactlyElementsOf(range(120));
    assertThat(dimensions.publishers()).extracting(Publisher::id).containsExactlyElementsOf(range(25));
    assertThat(dimensions.companies()).extracting(Company::name).doesNotHaveDuplicates();
    assertThat(dimensions.publishers()).extracting(Publisher::name).doesNotHaveDuplicates();
  }

  @Test
  void campaignsBelongToOneCompanyAndGroupsToOneCampaign() {
    Dimensions dimensions = SampleDimensions.generate(5);
    Set<Long> companyIds = dimensions.companies().stream().map(Company::id).collect(Collectors.toSet());

    Map<Long, Set<Long>> companiesByCampaign = dimensions.jobs().stream().collect(
        Collectors.groupingBy(Job::campaignId, Collectors.mapping(Job::companyId, Collectors.toSet())));
    Map<Long, Set<Long>> campaignsByGroup = dimensions.jobs().stream().collect(
        Collectors.groupingBy(Job::groupId, Collectors.mapping(Job::campaignId, Collectors.toSet())));

    assertThat(dimensions.jobs()).allSatisfy(job -> assertThat(companyIds).contains(job.companyId()));
    assertThat(companiesByCampaign.values()).allSatisfy(companies -> assertThat(companies).hasSize(1));
    assertThat(campaignsByGroup.values()).allSatisfy(campaigns -> assertThat(campaigns).hasSize(1));
    // "Several" jobs per campaign and per group on average, not one each.
    assertThat((double) dimensions.jobs().size() / companiesByCampaign.size()).isGreaterThan(2.5);
    assertThat((double) dimensions.jobs().size() / campaignsByGroup.size()).isGreaterThan(1.5);
  }

  @Test
  void everyCompanyGetsAJobAndItsJobsShareItsIndustry() {
    Dimensions dimensions = SampleDimensions.generate(11);

    Map<Long, Set<String>> industriesByCompany = dimensions.jobs().stream().collect(
        Collectors.groupingBy(Job::companyId, Collectors.mapping(Job::industry, Collectors.toSet())));

    assertThat(industriesByCompany).hasSize(SampleDimensions.DEFAULT_COMPANIES);
    assertThat(industriesByCompany.values()).allSatisfy(industries -> assertThat(industries).hasSize(1));
    assertThat(dimensions.jobs()).extracting(Job::industry).allMatch(SampleDimensions.INDUSTRY_NAMES::contains);
    assertThat(dimensions.jobs()).extracting(Job::title).allMatch(title -> !title.isBlank());
  }

  @Test
  void fewerJobsThanCompaniesLeavesLaterCompaniesWithoutJobs() {
    Dimensions dimensions = SampleDimensions.generate(1, 10, 3, 1);

    assertThat(dimensions.jobs()).extracting(Job::companyId).containsExactly(1L, 2L, 3L);
  }

  @Test
  void rejectsEverySizeBelowOneAtOnce() {
    assertThatThrownBy(() -> SampleDimensions.generate(1, 0, -1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("companies must be at least 1, got 0")
        .hasMessageContaining("jobs must be at least 1, got -1")
        .hasMessageContaining("publishers must be at least 1, got 0");
  }

  private static java.util.List<Long> range(int count) {
    return java.util.stream.LongStream.rangeClosed(1, count).boxed().toList();
  }
}
