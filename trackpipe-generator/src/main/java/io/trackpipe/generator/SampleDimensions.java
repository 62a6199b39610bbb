package io.trackpipe.generator;

import io.trackpipe.dimension.Company;
import io.trackpipe.dimension.Dimensions;
import io.trackpipe.dimension.Job;
import io.trackpipe.dimension.Publisher;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Plausible, reproducible dimension rows: companies in a handful of industries, their job ads grouped into
 * campaigns and ad groups, and the publishers that show the ads. The same seed and sizes always give the same rows,
 * so the demo, the generator and the end-to-end tests agree on ids without sharing files.
 *
 * <p>Ids start at 1 and are dense. Each campaign belongs to one company and holds several of its jobs; each ad group
 * belongs to one campaign and holds one or more of its jobs. A job's industry is its company's.
 */
public final class SampleDimensions {
  public static final int DEFAULT_COMPANIES = 50;
  public static final int DEFAULT_JOBS = 500;
  public static final int DEFAULT_PUBLISHERS = 20;

  private static final int MAX_JOBS_PER_CAMPAIGN = 6;
  private static final int MAX_JOBS_PER_GROUP = 3;

  private record Industry(String name, List<String> roles, List<String> companySuffixes) {}

  private static final List<Industry> INDUSTRIES = List.of(
      new Industry("Software",
          List.of("Java Developer", "Frontend Engineer", "Data Engineer", "DevOps Engineer", "QA Engineer",
              "C++ Developer", "Product Manager", "\"Hands-on\" Engineering Manager"),
          List.of("Labs", "Technologies", "Software", "Systems")),
      new Industry("Finance",
          List.of("Accountant", "Financial Analyst", "Risk Analyst", "Auditor", "Payroll Specialist", "Credit Officer"),
          List.of("Capital", "Bank", "Partners", "Insurance")),
      new Industry("Healthcare",
          List.of("Registered Nurse", "Pharmacist", "Medical Assistant", "Lab Technician", "Physiotherapist"),
          List.of("Health", "Clinic", "Medical Center", "Care")),
      new Industry("Retail",
          List.of("Store Manager", "Sales Associate", "Visual Merchandiser", "Cashier", "Buyer"),
          List.of("Stores", "Market", "Outlet", "& Co.")),
      new Industry("Logistics",
          List.of("Warehouse Operator", "Truck Driver", "Supply Chain Planner", "Forklift Operator", "Dispatcher"),
          List.of("Logistics", "Freight", "Transport", "Shipping")),
      new Industry("Education",
          List.of("Math Teacher", "Teaching Assistant", "Curriculum Designer", "School Counselor", "English Tutor"),
          List.of("Academy", "School", "Learning", "Institute")),
      new Industry("Manufacturing",
          List.of("Machine Operator", "Quality Inspector", "Maintenance Technician", "Production Planner", "Welder"),
          List.of("Industries", "Manufacturing", "Works", "Components")),
      new Industry("Hospitality",
          List.of("Chef de Partie", "Receptionist", "Barista", "Housekeeping Supervisor", "Pâtissier – Café"),
          List.of("Hotels", "Resorts", "Hospitality", "Restaurants")));

  /** Industries a job can have, for tests and documentation. */
  public static final List<String> INDUSTRY_NAMES = INDUSTRIES.stream().map(Industry::name).toList();

  private static final List<String> SENIORITIES = List.of("", "", "Junior ", "Senior ", "Lead ");

  private static final List<String> COMPANY_PREFIXES = List.of(
      "Northwind", "Bluepeak", "Silverline", "Greenfield", "Redwood", "Brightpath", "Ironbridge", "Clearwater",
      "Suncrest", "Highland", "Evergreen", "Stonegate", "Lakeside", "Oakridge", "Riverbend", "Summit", "Harbor",
      "Maple", "Crescent", "Pioneer", "Golden Gate", "Westbrook", "Eastwood", "O'Connor");

  private static final List<String> PUBLISHER_NAMES = List.of(
      "CareerHub", "JobStream", "TalentBoard", "WorkNest", "HireLine", "JobPulse", "NextRole", "SkillMatch",
      "CityJobs", "RemoteFirst", "GradStart", "ShiftFinder", "TechTalent", "NurseLink", "JobRadar", "OpenRoles",
      "HireQuick", "CareerBridge", "JobSpring", "WorkScout");

  private SampleDimensions() {}

  /** The default sizes: {@value #DEFAULT_COMPANIES} companies, {@value #DEFAULT_JOBS} jobs, {@value #DEFAULT_PUBLISHERS} publishers. */
  public static Dimensions generate(long seed) {
    return generate(seed, DEFAULT_COMPANIES, DEFAULT_JOBS, DEFAULT_PUBLISHERS);
  }

  /**
   * @param companies at least 1
   * @param jobs at least 1; with fewer jobs than companies, the later companies have no jobs
   * @param publishers at least 1
   * @throws IllegalArgumentException naming every size that is out of range
   */
  public static Dimensions generate(long seed, int companies, int jobs, int publishers) {
    List<String> problems = new ArrayList<>();
    if (companies < 1) problems.add("companies must be at least 1, got " + companies);
    if (jobs < 1) problems.add("jobs must be at least 1, got " + jobs);
    if (publishers < 1) problems.add("publishers must be at least 1, got " + publishers);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("cannot generate sample dimensions: " + String.join("; ", problems));
    }
    // Separate streams per table: changing the number of publishers must not reshuffle companies and jobs.
    SplittableRandom root = new SplittableRandom(seed);
    SplittableRandom companyRandom = root.split();
    SplittableRandom jobRandom = root.split();

    List<Company> companyRows = new ArrayList<>(companies);
    List<Industry> companyIndustries = new ArrayList<>(companies);
    Set<String> takenNames = new HashSet<>();
    for (int i = 0; i < companies; i++) {
      Industry industry = INDUSTRIES.get(companyRandom.nextInt(INDUSTRIES.size()));
      String name = COMPANY_PREFIXES.get(companyRandom.nextInt(COMPANY_PREFIXES.size())) + " "
          + industry.companySuffixes().get(companyRandom.nextInt(industry.companySuffixes().size()));
      String unique = name;
      for (int n = 2; !takenNames.add(unique); n++) {
        unique = name + " " + n;
      }
      companyRows.add(new Company(i + 1, unique));
      companyIndustries.add(industry);
    }

    // Every company gets a job while there are enough; the rest go mostly to the first companies, because a few
    // large employers post most ads.
    int[] jobsPerCompany = new int[companies];
    for (int j = 0; j < jobs; j++) {
      int company = j < companies ? j : (int) (companies * square(jobRandom.nextDouble()));
      jobsPerCompany[company]++;
    }

    List<Job> jobRows = new ArrayList<>(jobs);
    long nextCampaignId = 1;
    long nextGroupId = 1;
    for (int c = 0; c < companies; c++) {
      Industry industry = companyIndustries.get(c);
      int remainingInCompany = jobsPerCompany[c];
      while (remainingInCompany > 0) {
        long campaignId = nextCampaignId++;
        int campaignSize = Math.min(remainingInCompany, 2 + jobRandom.nextInt(MAX_JOBS_PER_CAMPAIGN - 1));
        remainingInCompany -= campaignSize;
        while (campaignSize > 0) {
          long groupId = nextGroupId++;
          int groupSize = Math.min(campaignSize, 1 + jobRandom.nextInt(MAX_JOBS_PER_GROUP));
          campaignSize -= groupSize;
          for (int g = 0; g < groupSize; g++) {
            String title = SENIORITIES.get(jobRandom.nextInt(SENIORITIES.size()))
                + industry.roles().get(jobRandom.nextInt(industry.roles().size()));
            jobRows.add(new Job(jobRows.size() + 1, c + 1, groupId, campaignId, title, industry.name()));
          }
        }
      }
    }

    List<Publisher> publisherRows = new ArrayList<>(publishers);
    for (int p = 0; p < publishers; p++) {
      String name = PUBLISHER_NAMES.get(p % PUBLISHER_NAMES.size());
      int round = p / PUBLISHER_NAMES.size();
      publisherRows.add(new Publisher(p + 1, round == 0 ? name : name + " " + (round + 1)));
    }
    return new Dimensions(companyRows, jobRows, publisherRows);
  }

  private static double square(double x) {
    return x * x;
  }
}
